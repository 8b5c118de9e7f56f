// The replica's live dashboard: a front end of the HTTP server, served by Capsule itself at `/_/dashboard`.
export { DASHBOARD_PATH, Dashboard, type DashboardOptions, type DashboardRequest, type DashboardResponse } from './dashboard.ts';
