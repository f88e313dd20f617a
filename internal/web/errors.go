package web

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"syscall"

	"github.com/gofiber/fiber/v2"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/evidence"
	"github.com/suara-id/suara/internal/tenant"
)

// apiError is the one JSON error shape.
type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	// Allowed lists the transitions the caller may make instead, on a 409
	// for a transition the case's status does not have.
	// A pointer, so an empty list still shows: "nothing is allowed".
	Allowed *[]string `json:"allowed,omitempty"`
}

// handleError maps domain errors to a status and a localised message, as
// JSON for the API and as a page otherwise. Unexpected errors are logged with
// the request id and answered 500 without details.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	rc := reqCtx(c)
	status, code := fiber.StatusInternalServerError, "internal"
	var fields map[string]string
	var fe *fiber.Error
	var ve *apperr.Validation
	var fc *apperr.FieldConflict
	var lim *apperr.Limited
	var allowed *[]string
	var te *cases.TransitionError
	if errors.As(err, &te) {
		list := make([]string, 0, len(te.Allowed))
		for _, t := range te.Allowed {
			list = append(list, string(t))
		}
		allowed = &list
	}
	switch {
	case errors.As(err, &fe):
		status = fe.Code
		code = statusCode(fe.Code)
		if fe.Message == "csrf" || fe.Message == "two_factor_required" {
			code = fe.Message
		}
	case errors.As(err, &ve):
		status, code = fiber.StatusUnprocessableEntity, "invalid"
		fields = map[string]string{}
		for f, key := range ve.Fields {
			fields[f] = translate(rc.loc, key)
		}
	case errors.As(err, &fc):
		status, code = fiber.StatusConflict, "conflict"
		fields = map[string]string{fc.Field: translate(rc.loc, fc.Key)}
	case errors.As(err, &lim):
		status, code = fiber.StatusTooManyRequests, "rate_limited"
		if lim.RetryAfterSeconds > 0 {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(lim.RetryAfterSeconds))
		}
	case errors.Is(err, errUnionSuspended):
		// The union is suspended by the platform (console.go): a notice,
		// not a failure.
		status, code = fiber.StatusServiceUnavailable, "union_suspended"
	case errors.Is(err, apperr.ErrNotFound):
		status, code = fiber.StatusNotFound, "not_found"
	case errors.Is(err, apperr.ErrConflict):
		status, code = fiber.StatusConflict, "conflict"
	case errors.Is(err, apperr.ErrForbidden):
		status, code = fiber.StatusForbidden, "forbidden"
	case errors.Is(err, apperr.ErrUnauthorized):
		status, code = fiber.StatusUnauthorized, "unauthorized"
	case errors.Is(err, apperr.ErrRateLimited):
		status, code = fiber.StatusTooManyRequests, "rate_limited"
	case errors.Is(err, evidence.ErrStoreUnavailable):
		// The evidence bucket did not answer (before db.Unavailable: its
		// network errors look alike). Nothing was stored; send again later.
		status, code = fiber.StatusServiceUnavailable, "storage_unavailable"
		c.Set(fiber.HeaderRetryAfter, "30")
	case db.Unavailable(err):
		// Fail fast and say so: the client retries later (Retry-After),
		// and the server recovers by itself when the database returns.
		status, code = fiber.StatusServiceUnavailable, "unavailable"
		c.Set(fiber.HeaderRetryAfter, "5")
	case storageFailed(err):
		// Evidence disk full or read-only: say so plainly; the case
		// itself is safe, the file can be sent again later.
		status, code = fiber.StatusServiceUnavailable, "storage_unavailable"
	case db.BadEncoding(err), nulTruncated(c, err):
		status, code = fiber.StatusUnprocessableEntity, "invalid"
	}
	if code == "union_suspended" {
		// not a fault: nothing to log
	} else if status == fiber.StatusServiceUnavailable {
		s.log.Warn("request failed: database unavailable", "err", err, "route", c.Route().Path)
	} else if status >= 500 {
		s.log.Error("request failed", "err", err, "route", c.Route().Path, "request_id", c.GetRespHeader(fiber.HeaderXRequestID))
	}
	msg := translate(rc.loc, "error."+code)
	if lim != nil && lim.Key != "" {
		msg = translate(rc.loc, lim.Key, "Minutes", (lim.RetryAfterSeconds+59)/60)
	}
	if rc.API {
		return c.Status(status).JSON(apiError{Error: apiErrorBody{Code: code, Message: msg, Fields: fields, Allowed: allowed}})
	}
	if rc.Target == tenant.Unknown {
		// Unknown host: a bare page that names no tenant.
		c.Type("html", "utf-8")
		return c.Status(status).SendString("<!doctype html><title>" + strconv.Itoa(status) + "</title><p>" + msg + "</p>")
	}
	p := s.page(c, "")
	p.Title = msg
	data := map[string]any{"Status": status, "Message": msg, "Fields": fields}
	if code == "union_suspended" {
		p.Title = translate(rc.loc, "error.union_suspended_title")
		data["Heading"], data["Hint"] = p.Title, translate(rc.loc, "error.union_suspended_hint")
	}
	if status == fiber.StatusTooManyRequests {
		// A worker whose report was refused is told, kindly, what to do.
		p.Title = translate(rc.loc, "error.rate_limited_title")
		data["Heading"], data["Hint"] = p.Title, translate(rc.loc, "error.rate_limited_hint")
	}
	p.Data = data
	if rerr := s.render(c, status, "error", p); rerr != nil {
		s.log.Error("render error page", "err", rerr)
		return c.Status(status).SendString(msg)
	}
	return nil
}

func statusCode(status int) string {
	switch status {
	case fiber.StatusNotFound:
		return "not_found"
	case fiber.StatusMethodNotAllowed:
		return "method_not_allowed"
	case fiber.StatusRequestEntityTooLarge:
		return "too_large"
	case fiber.StatusBadRequest:
		return "bad_request"
	case fiber.StatusUnsupportedMediaType:
		return "unsupported_media_type"
	case fiber.StatusTooManyRequests:
		return "rate_limited"
	case fiber.StatusForbidden:
		return "forbidden"
	case fiber.StatusUnauthorized:
		return "unauthorized"
	case fiber.StatusRequestTimeout:
		return "timeout"
	}
	if status >= 500 {
		return "internal"
	}
	return "bad_request"
}

// nulTruncated reports a query cut short by a NUL byte from the request:
// bun writes arguments into the query text, and PostgreSQL ends the text at
// the NUL, leaving a syntax error. The NUL is the client's input; handlers
// that validate text refuse it before, this catches the ones that do not.
func nulTruncated(c *fiber.Ctx, err error) bool {
	if !db.IsSyntaxError(err) {
		return false
	}
	body := c.Body()
	return bytes.IndexByte(body, 0) >= 0 || bytes.Contains(body, []byte(`\u0000`)) || bytes.Contains(bytes.ToLower(body), []byte("%00")) ||
		strings.Contains(string(c.Request().URI().RequestURI()), "%00")
}

// storageFailed reports a file system refusing to store (full, read-only,
// gone): the server's trouble, but a known and temporary one.
func storageFailed(err error) bool {
	for _, e := range []error{syscall.ENOSPC, syscall.EROFS, syscall.EDQUOT, syscall.ENOTDIR, syscall.EACCES, syscall.EIO} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
