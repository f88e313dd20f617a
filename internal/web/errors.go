package web

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/cases"
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
		if fe.Message == "csrf" {
			code = "csrf"
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
	}
	if status >= 500 {
		s.log.Error("request failed", "err", err, "route", c.Route().Path, "request_id", c.GetRespHeader(fiber.HeaderXRequestID))
	}
	msg := translate(rc.loc, "error."+code)
	if lim != nil && lim.Key != "" {
		msg = translate(rc.loc, lim.Key)
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
	p.Data = map[string]any{"Status": status, "Message": msg, "Fields": fields}
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
