// Package cases owns a grievance case's life: filing, the lifecycle state
// machine and who may move a case through it, the append-only hash-chained
// timeline, the message thread between reporter and handlers, SLA clocks on
// the Indonesian working-day calendar, ratings, and the SQL behind them.
//
// The pure rules live apart from the stores so they can be tested cell by
// cell without a database: lifecycle.go (statuses, transitions, actors,
// Apply) and chain.go (EventHash, VerifyChain). Working-day arithmetic is
// package workday's.
package cases
