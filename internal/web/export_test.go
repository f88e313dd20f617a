package web

import "time"

// UseLimitsClock gives the server's rate limits (filing, uploads, hints and
// the receipt throttle share one Limits) a clock of the test's own: a
// simulated minute passes without sleeping, and a fixed clock keeps a
// test's requests inside one window wherever the real clock stands.
func (s *Server) UseLimitsClock(now func() time.Time) { s.limits.Now = now }
