package web

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// errUnionSuspended answers every request on a suspended union's host
// (503, with a notice in the reader's language): logins, filings and
// everything else stop while the union's data stays as it was.
var errUnionSuspended = errors.New("union suspended")

// stopSuspended lets a suspended union's host serve only what the notice
// page itself needs (its theme, logo and static files).
func (s *Server) stopSuspended(c *fiber.Ctx) error {
	t := reqCtx(c).Tenant
	if t == nil || !t.Suspended() {
		return c.Next()
	}
	p := c.Path()
	if c.Method() == fiber.MethodGet && (strings.HasPrefix(p, "/static/") || p == "/theme.css" || p == "/logo.svg" || p == "/favicon.svg") {
		return c.Next()
	}
	return errUnionSuspended
}
