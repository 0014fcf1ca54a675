/**
 * A realistic sample payload for every event type of every provider, built
 * from the providers' pages. Each is valid against its schema (tested).
 */

const session = (state: string) => ({
  id: 'rs_01JH8X3K2M4N5P6Q7R8S9T0V1W',
  skill_id: 'sk_01JH8WZ9Y8X7W6V5U4T3S2R1Q0',
  owner: 'user_2b9c1f',
  created_at: '2025-01-31T12:30:00.000Z',
  environment: 'cloud',
  start_time: '2025-01-31T12:30:01.000Z',
  ...(state === 'play' ? {} : { end_time: '2025-01-31T12:34:56.000Z' }),
  state,
  inputs: { customer_id: 'C-1042' },
  data: { rows_exported: 17 }
})

const pulseJob = (type: string, data: Record<string, unknown>) => ({
  type,
  timestamp: '2024-01-15T10:30:00Z',
  data: { job_id: '123e4567-e89b-12d3-a456-426614174000', ...data }
})

export const fixtures = {
  autotab: {
    play: session('play'),
    pause: session('pause'),
    finish: session('finish'),
    reset: session('reset'),
    cancel: session('cancel'),
    timeout: session('timeout'),
    editing: session('editing')
  },
  autosana: {
    'batch.completed': {
      event: 'batch.completed',
      timestamp: '2025-01-31T12:34:56.789Z',
      app: {
        id: 'com.example.myapp',
        name: 'My App',
        platform: 'android',
        url: 'https://storage.example.com/app_builds/a1b2c3d4/my_app.apk'
      },
      git: { commit_sha: 'a1b2c3d4e5f6a7b8c9d0', branch: 'main' },
      summary: { total_groups: 3, passed_groups: 2, failed_groups: 1 },
      run_groups: [
        {
          name: 'Login Suite',
          status: 'passed',
          url: 'https://autosana.ai/runs/groups/f1e2d3c4-b5a6-7890-abcd-ef1234567890',
          runs: [{ name: 'User can sign in with email', status: 'passed', url: 'https://autosana.ai/runs/flow/12345678-abcd-ef12-3456-7890abcdef12' }]
        },
        {
          name: 'Checkout Suite',
          status: 'failed',
          url: 'https://autosana.ai/runs/groups/0a1b2c3d-4e5f-6789-abcd-ef0123456789',
          runs: [{ name: 'User can pay with a card', status: 'failed', url: 'https://autosana.ai/runs/flow/87654321-dcba-21fe-6543-210fedcba987' }]
        }
      ]
    }
  },
  cyberdesk: {
    run_complete: {
      event_id: '5f0c7a4e-2b1d-4c3e-9f8a-7b6c5d4e3f2a',
      event_type: 'run_complete',
      occurred_at: '2025-03-02T09:15:27.412Z',
      run: {
        id: '8d2f6b1a-3c4e-4f5a-8b9c-0d1e2f3a4b5c',
        workflow_id: 'a7b8c9d0-e1f2-4a3b-8c4d-5e6f7a8b9c0d',
        machine_id: 'f0e1d2c3-b4a5-4968-8776-655443322110',
        status: 'success',
        created_at: '2025-03-02T09:14:02.001Z',
        started_at: '2025-03-02T09:14:05.120Z',
        ended_at: '2025-03-02T09:15:27.300Z',
        error: [],
        output_data: { summary: 'Invoice 1042 entered into the ERP' },
        input_values: { invoice_number: '1042' },
        output_attachment_ids: []
      }
    }
  },
  retab: {
    'extraction.completed': {
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
    }
  },
  pulse: {
    'job.created': pulseJob('job.created', { status: 'pending' }),
    'job.processing': pulseJob('job.processing', { status: 'processing' }),
    'job.completed': pulseJob('job.completed', { status: 'completed', pages_processed: 25, processing_time: 12.5 }),
    'job.failed': pulseJob('job.failed', { status: 'failed', error: 'Document processing failed: Invalid PDF structure' }),
    'job.cancelled': pulseJob('job.cancelled', { status: 'cancelled' })
  }
}

/** The sample a provider is sent when no type is named (the CLI's `send`, the demo): the event a user most likely handles first. */
export const typicalTypes = {
  autotab: 'finish',
  autosana: 'batch.completed',
  cyberdesk: 'run_complete',
  retab: 'extraction.completed',
  pulse: 'job.completed'
} as const satisfies { [P in keyof typeof fixtures]: keyof typeof fixtures[P] }
