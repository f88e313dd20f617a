package web

import "time"

// UseReceiptClock gives the receipt throttle a clock of the test's own
// (a simulated minute passes without sleeping).
func (s *Server) UseReceiptClock(now func() time.Time) { s.receipts.limits.Now = now }
