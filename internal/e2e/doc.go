// Package e2e owns the real-browser end-to-end suite: headless Chromium,
// driven with chromedp, against a real Suara server started in-process on a
// loopback port over a fresh, migrated, seeded PostgreSQL database. Flows
// follow the people who use Suara — a worker on a 360×740 phone, an
// anonymous reporter with a receipt code, officers and admins — and save a
// screenshot of every step under e2e-screenshots/ for a human to look at.
//
// The package has only tests; `make e2e` installs Chromium when it can and
// runs them. Without Chromium the tests skip locally and fail under CI=true.
package e2e
