import Type, { type Static } from 'typebox'
import { Nullable } from './common.js'

/**
 * An OpenAI-style `chat.completion` plus Retab's fields. `message.content` holds the extracted object as a JSON string.
 */
export const RetabCompletion = Type.Object({
  id: Type.String(),
  object: Type.String(),
  created: Type.Number(),
  model: Type.String(),
  choices: Type.Array(Type.Object({
    index: Type.Integer(),
    message: Type.Object({
      role: Type.String(),
      content: Nullable(Type.String()),
      parsed: Type.Optional(Type.Unknown())
    }),
    finish_reason: Type.Optional(Nullable(Type.String()))
  }), { minItems: 1 }),
  usage: Type.Optional(Nullable(Type.Object({}))),
  extraction_id: Type.Optional(Nullable(Type.String())),
  likelihoods: Type.Optional(Type.Unknown())
})

export const RetabWebhook = Type.Object({
  completion: RetabCompletion,
  /** an email, or null */
  user: Type.Optional(Nullable(Type.String())),
  /** `url` may be a base64 data URL of the whole document: tens of MB. Never log it. */
  file_payload: Type.Optional(Nullable(Type.Object({ filename: Type.String(), url: Type.String() }))),
  metadata: Type.Optional(Nullable(Type.Record(Type.String(), Type.Unknown())))
}, {
  examples: [{
    completion: {
      id: 'chatcmpl-retab-7f3a9c',
      object: 'chat.completion',
      created: 1735689600,
      model: 'gpt-5-nano',
      choices: [{
        index: 0,
        message: { role: 'assistant', content: '{"name":"Team Meeting!","date":"2023-12-31"}' },
        finish_reason: 'stop'
      }],
      usage: { prompt_tokens: 812, completion_tokens: 24, total_tokens: 836 },
      extraction_id: 'extr_01JH9A2B3C4D5E6F7G8H9J0K1L',
      likelihoods: { name: 0.98, date: 0.95 }
    },
    user: 'ops@example.com',
    file_payload: { filename: 'example.pdf', url: 'data:application/pdf;base64,JVBERi0xLjQKJcOkw7zDtsOfCg==' },
    metadata: { source: 'inbox' }
  }]
})

/** Retab sends one kind of event; this is the type name we give it. */
export const RETAB_EVENT = 'extraction.completed'
export const retabEvents = { [RETAB_EVENT]: RetabWebhook } as { 'extraction.completed': typeof RetabWebhook }
export type RetabPayload = Static<typeof RetabWebhook>
