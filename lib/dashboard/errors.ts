import { refusal } from '../core/refusal.js'

/** The dashboard's refusals, each with a fixed code and status; messages never hold a value from the request. */
export const DashboardForbiddenError = refusal(
  'WEBHOOK_DASHBOARD_FORBIDDEN',
  'The dashboard\'s authorize hook refused this request',
  403
)
export const DashboardCsrfError = refusal(
  'WEBHOOK_DASHBOARD_CSRF',
  'This action did not come from a dashboard page (%s); reload the page and try again',
  403
)
export const DashboardBadQueryError = refusal('WEBHOOK_DASHBOARD_BAD_QUERY', 'Field "%s" %s', 400)
export const DashboardNotFoundError = refusal('WEBHOOK_DASHBOARD_NOT_FOUND', 'No kept event has this key', 404)
