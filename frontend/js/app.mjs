// Uslugi's own JavaScript. Every page works without it: it only enhances
// (GOV.UK Frontend components such as the mobile menu and the error summary focus).
import { initAll } from "../../govuk/govuk-frontend.min.js";

initAll();
