package web

import (
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/suara-id/suara/internal/ratelimit"
)

// windowLimit is one fixed-window limit counted in PostgreSQL
// (internal/ratelimit), so every replica counts against the same figure.
// It replaces Fiber's in-memory limiter, whose count is per process.
type windowLimit struct {
	Name    string // keeps this limit's counts apart from every other's
	Max     int
	Window  time.Duration
	Next    func(*fiber.Ctx) bool // true: the request is not counted
	Key     func(*fiber.Ctx) string
	Reached func(c *fiber.Ctx, r ratelimit.Result) error
}

func (s *Server) sharedLimit(w windowLimit) fiber.Handler {
	prefix := fmt.Sprintf("%s|%d|%s|", w.Name, w.Max, w.Window)
	return func(c *fiber.Ctx) error {
		if w.Next != nil && w.Next(c) {
			return c.Next()
		}
		r, err := s.limits.Window(c.UserContext(), prefix+w.Key(c), w.Max, w.Window)
		if err != nil {
			return err
		}
		if !r.OK {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(r.RetrySeconds()))
			return w.Reached(c, r)
		}
		return c.Next()
	}
}
