// Starts GOV.UK Frontend's components. A file, not an inline script, so the CSP can forbid inline.
import { initAll } from "/static/govuk/govuk-frontend.min.js";

initAll();
