package web

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/evidence"
	"github.com/suara-id/suara/internal/notify"
	"github.com/suara-id/suara/internal/tenant"
)

// An anonymous reporter's routes. The receipt code travels once, in a POST
// body (POST /api/v1/receipts/session, or the receipt page's form), and is
// exchanged for a short-lived session token (cases/session.go). The API
// then takes the token as "Authorization: Bearer"; the pages keep it in an
// HttpOnly, SameSite=Strict cookie scoped to /receipt. No URL, redirect or
// log line carries the code.

// receiptCookie holds the page session token; its path keeps it off every
// other route.
const (
	receiptCookie     = "suara_receipt"
	receiptCookiePath = "/receipt"
)

// receiptGate takes the request from its address's receipt budget (one
// budget for every receipt route).
func (s *Server) receiptGate(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	ok, wait, err := s.receipts.admit(c.UserContext(), t.ID, c.IP())
	if err != nil {
		return err
	}
	if !ok {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(wait))
		return &apperr.Limited{RetryAfterSeconds: wait, Key: "error.rate_limited"}
	}
	return c.Next()
}

// receiptCall runs a receipt action and records a miss (a wrong code, a
// bad or expired session token) against the address and the union.
func (s *Server) receiptCall(c *fiber.Ctx, fn func() error) error {
	err := fn()
	if errors.Is(err, apperr.ErrNotFound) || errors.Is(err, apperr.ErrUnauthorized) {
		if t := reqCtx(c).Tenant; t != nil {
			if merr := s.receipts.miss(c.UserContext(), t.ID, c.IP()); merr != nil {
				s.log.Warn("receipt throttle: record a miss", "err", merr)
			}
		}
	}
	return err
}

// bearerReceipt is the API caller's receipt session token (authenticate
// set it aside from account tokens), or "" for none.
func bearerReceipt(c *fiber.Ctx) string { return reqCtx(c).ReceiptToken }

// receiptToken is the session token of a request: the bearer token on the
// API, the cookie on pages.
func receiptToken(c *fiber.Ctx) string {
	if reqCtx(c).API {
		return bearerReceipt(c)
	}
	return strings.Clone(c.Cookies(receiptCookie))
}

func (s *Server) apiReceiptSession(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	var body struct {
		Code string `json:"code"`
	}
	if err := parseJSON(c, &body); err != nil {
		return err
	}
	var sess *cases.ReceiptSession
	err = s.receiptCall(c, func() (err error) {
		sess, err = s.cases.OpenReceiptSession(c.UserContext(), t.ID, body.Code)
		return err
	})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusCreated).JSON(sess)
}

// receiptView is the case of the request's receipt session, read under
// the receipt throttle.
func (s *Server) receiptView(c *fiber.Ctx, t *tenant.Tenant) (*cases.View, error) {
	var v *cases.View
	err := s.receiptCall(c, func() (err error) {
		v, err = s.cases.ByReceipt(c.UserContext(), t.ID, receiptToken(c))
		return err
	})
	return v, err
}

func (s *Server) apiReceipt(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	v, err := s.receiptView(c, t)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(v)
}

func (s *Server) apiReceiptEvidence(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	tok := bearerReceipt(c)
	ctx := c.UserContext()
	return s.receiptCall(c, func() error {
		return s.streamEvidence(c, func(name, declared string, r io.Reader) (*cases.EvidenceFile, error) {
			return s.cases.AddEvidenceByReceipt(ctx, t.ID, tok, name, declared, r)
		})
	})
}

func (s *Server) apiReceiptCheckin(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	n, err := checkinNumber(c)
	if err != nil {
		return err
	}
	var a cases.CheckinAnswer
	if err := parseJSON(c, &a); err != nil {
		return err
	}
	var res *cases.CheckinResult
	err = s.receiptCall(c, func() (err error) {
		res, err = s.cases.AnswerCheckinByReceipt(c.UserContext(), t.ID, bearerReceipt(c), n, a)
		return err
	})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store") // may carry a new receipt code
	return c.JSON(res)
}

// apiReceiptNotifications lists an anonymous reporter's in-app
// notifications.
func (s *Server) apiReceiptNotifications(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	v, err := s.receiptView(c, t)
	if err != nil {
		return err
	}
	items, err := s.notify.ForCase(c.UserContext(), t.ID, v.ID, reqCtx(c).Locale)
	if err != nil {
		return err
	}
	if items == nil {
		items = []notify.Item{}
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"notifications": items})
}

// receiptJSON is the shape of the reporter's receipt actions: decode a
// JSON body, run the action for the session token under the receipt
// throttle, and answer status with its result.
func receiptJSON[In, Out any](s *Server, status int, act func(ctx context.Context, tenantID uuid.UUID, token string, in In) (Out, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		t, err := tenantOnly(c)
		if err != nil {
			return err
		}
		var in In
		if err := parseJSON(c, &in); err != nil {
			return err
		}
		var out Out
		err = s.receiptCall(c, func() (err error) {
			out, err = act(c.UserContext(), t.ID, bearerReceipt(c), in)
			return err
		})
		if err != nil {
			return err
		}
		return c.Status(status).JSON(out)
	}
}

// reasonInput is the body of a reopen or withdraw request: only the
// reporter's reason.
type reasonInput struct {
	Reason string `json:"reason"`
}

func (s *Server) receiptReopen(ctx context.Context, tenantID uuid.UUID, tok string, in reasonInput) (*cases.TransitionResult, error) {
	return s.cases.TransitionByReceipt(ctx, tenantID, tok,
		cases.TransitionInput{Transition: string(cases.TransitionReopen), Reason: in.Reason})
}

func (s *Server) receiptWithdraw(ctx context.Context, tenantID uuid.UUID, tok string, in reasonInput) (*cases.TransitionResult, error) {
	if strings.TrimSpace(in.Reason) == "" {
		return nil, apperr.Invalid("reason", "error.required")
	}
	return s.cases.TransitionByReceipt(ctx, tenantID, tok,
		cases.TransitionInput{Transition: string(cases.TransitionWithdraw), Reason: in.Reason})
}

// bodyInput is the body of a message or an answer to a request for
// information: only its text.
type bodyInput struct {
	Body string `json:"body"`
}

func (s *Server) receiptMessage(ctx context.Context, tenantID uuid.UUID, tok string, in bodyInput) (*cases.Event, error) {
	return s.cases.AddMessageByReceipt(ctx, tenantID, tok, in.Body)
}

func (s *Server) receiptAnswerInfo(ctx context.Context, tenantID uuid.UUID, tok string, in bodyInput) (*cases.InfoAnswer, error) {
	return s.cases.AnswerInfoRequestByReceipt(ctx, tenantID, tok, in.Body)
}

// --- pages ---

// receiptFormData is what the receipt case page shows and keeps of what the
// reporter typed when a form is refused.
type receiptFormData struct {
	caseData
	// Form names the form that failed ("message", "info", "reopen",
	// "withdraw", "rate", "checkin-1"…); Values what was typed in it.
	Form     string
	Values   map[string]string
	Checkins []int
	Scores   []int
	Rated    bool
	// CanReopen, CanWithdraw, NeedsInfo: which forms apply to the status.
	CanReopen, CanWithdraw, NeedsInfo bool
	// Open: the case still takes messages and evidence.
	Open bool
}

func (s *Server) setReceiptCookie(c *fiber.Ctx, sess *cases.ReceiptSession) {
	c.Cookie(&fiber.Cookie{Name: receiptCookie, Value: sess.Token, Path: receiptCookiePath,
		Expires: sess.ExpiresAt, HTTPOnly: true, SameSite: "Strict", Secure: s.cfg.HTTP.SecureCookies})
}

func (s *Server) clearReceiptCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{Name: receiptCookie, Value: "", Path: receiptCookiePath, MaxAge: -1,
		Expires: time.Unix(0, 0), HTTPOnly: true, SameSite: "Strict", Secure: s.cfg.HTTP.SecureCookies})
}

func (s *Server) receiptPage(c *fiber.Ctx) error {
	if _, err := tenantOnly(c); err != nil {
		return err
	}
	pg := s.page(c, "receipt.title")
	f := &form{Errors: map[string]string{}}
	if c.Query("expired") == "1" {
		f.Error = translate(reqCtx(c).loc, "receipts.expired")
	}
	pg.Data = f
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.render(c, fiber.StatusOK, "receipt", pg)
}

// receiptSubmit exchanges the posted code for a session cookie and sends
// the browser to the case page; the code is in no URL. A wrong code shows
// the entry form again with what was typed, after the same time as a right
// one.
func (s *Server) receiptSubmit(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	code := strings.Clone(c.FormValue("code"))
	var sess *cases.ReceiptSession
	err = s.receiptCall(c, func() (err error) {
		sess, err = s.cases.OpenReceiptSession(c.UserContext(), t.ID, code)
		return err
	})
	if errors.Is(err, apperr.ErrNotFound) {
		pg := s.page(c, "receipt.title")
		pg.Data = &form{Values: map[string]string{"code": code}, Errors: map[string]string{}, Error: translate(reqCtx(c).loc, "receipt.not_found")}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return s.render(c, fiber.StatusNotFound, "receipt", pg)
	}
	if err != nil {
		return err
	}
	s.setReceiptCookie(c, sess)
	return c.Redirect("/receipt/case", fiber.StatusSeeOther)
}

// receiptNotices are the confirmations a successful form redirects with.
var receiptNotices = map[string]string{
	"message": "receipts.sent", "evidence": "case.evidence_added", "info": "receipts.info_sent",
	"reopen": "receipts.reopened", "withdraw": "receipts.withdrawn", "rated": "handling.rated", "checkin": "receipts.checkin_sent",
}

func (s *Server) receiptCasePage(c *fiber.Ctx) error {
	d := receiptFormData{}
	if k, ok := receiptNotices[c.Query("done")]; ok {
		d.Notice = translate(reqCtx(c).loc, k)
	}
	return s.receiptShow(c, d, fiber.StatusOK)
}

// receiptShow renders the case the page session opens, or sends the browser
// back to the entry form when the session is missing or has expired.
func (s *Server) receiptShow(c *fiber.Ctx, d receiptFormData, status int) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	v, err := s.receiptView(c, t)
	if errors.Is(err, apperr.ErrUnauthorized) || errors.Is(err, apperr.ErrNotFound) {
		s.clearReceiptCookie(c)
		return c.Redirect("/receipt?expired=1", fiber.StatusSeeOther)
	}
	if err != nil {
		return err
	}
	// Each page view renews the session: a reporter reading slowly is not
	// cut off, and an idle browser's cookie still dies within the TTL.
	if sess, err := s.cases.MintReceiptSession(t.ID, v.ID); err == nil {
		s.setReceiptCookie(c, sess)
	}
	d.Case, d.Receipt = v, "session"
	if s.notify != nil {
		if d.Notifications, err = s.notify.ForCase(c.UserContext(), t.ID, v.ID, reqCtx(c).Locale); err != nil {
			return err
		}
	}
	d.Open = cases.IsOpen(v.Status)
	d.Checkins = openCheckins(v.Events)
	d.Scores = []int{1, 2, 3, 4, 5}
	for _, e := range v.Events {
		if e.Kind == "rated" {
			d.Rated = true
		}
	}
	for _, tr := range cases.AllowedTransitions(v.Status, cases.ActorReporter) {
		switch tr {
		case cases.TransitionReopen:
			d.CanReopen = true
		case cases.TransitionWithdraw:
			d.CanWithdraw = true
		case cases.TransitionProvideInfo:
			d.NeedsInfo = true
		}
	}
	if d.Values == nil {
		d.Values = map[string]string{}
	}
	pg := s.page(c, "case.status_title")
	pg.Data, pg.forReporter = d, true
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.render(c, status, "receipt_case", pg)
}

// receiptFormDone answers a receipt page form: a redirect to the case page
// on success; the page again with the message and what was typed when the
// reporter can fix something; the entry page when the session is gone.
func (s *Server) receiptFormDone(c *fiber.Ctx, formName, done string, values map[string]string, err error) error {
	if err == nil {
		return c.Redirect("/receipt/case?done="+done, fiber.StatusSeeOther)
	}
	if errors.Is(err, apperr.ErrUnauthorized) || errors.Is(err, apperr.ErrNotFound) {
		s.clearReceiptCookie(c)
		return c.Redirect("/receipt?expired=1", fiber.StatusSeeOther)
	}
	loc := reqCtx(c).loc
	d := receiptFormData{Form: formName, Values: values}
	var ve *apperr.Validation
	var fc *apperr.FieldConflict
	var te *cases.TransitionError
	var rr *cases.ReasonRequiredError
	status := fiber.StatusUnprocessableEntity
	switch {
	case evidence.Code(err) != "":
		d.Error, status = s.evidenceMessage(c, err), evidenceStatus(evidence.Code(err))
	case errors.As(err, &rr):
		d.Error = translate(loc, rr.Key)
	case errors.As(err, &ve):
		var parts []string
		for _, key := range ve.Fields {
			parts = append(parts, translate(loc, key))
		}
		d.Error = strings.Join(parts, " ")
	case errors.As(err, &fc):
		d.Error, status = translate(loc, fc.Key), fiber.StatusConflict
	case errors.As(err, &te):
		d.Error, status = translate(loc, "error.conflict"), fiber.StatusConflict
	default:
		return err
	}
	return s.receiptShow(c, d, status)
}

func (s *Server) receiptMessageSubmit(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	body := strings.Clone(c.FormValue("body"))
	err = s.receiptCall(c, func() error {
		_, err := s.cases.AddMessageByReceipt(c.UserContext(), t.ID, receiptToken(c), body)
		return err
	})
	return s.receiptFormDone(c, "message", "message", map[string]string{"body": body}, err)
}

func (s *Server) receiptEvidenceSubmit(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	fh, ferr := c.FormFile("file")
	if ferr != nil {
		return s.receiptFormDone(c, "evidence", "", nil, apperr.Invalid("file", "error.required"))
	}
	ctx := c.UserContext()
	tok := receiptToken(c)
	err = s.receiptCall(c, func() error {
		return addFormFile(fh, func(name, declared string, r io.Reader) (*cases.EvidenceFile, error) {
			return s.cases.AddEvidenceByReceipt(ctx, t.ID, tok, name, declared, r)
		})
	})
	return s.receiptFormDone(c, "evidence", "evidence", nil, err)
}

func (s *Server) receiptEvidenceDownload(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	fid, err := caseID(c, "file")
	if err != nil {
		return err
	}
	return s.receiptCall(c, func() error {
		f, rc, err := s.cases.OpenEvidenceByReceipt(c.UserContext(), t.ID, receiptToken(c), fid)
		if err != nil {
			return err
		}
		return sendEvidence(c, f, rc)
	})
}

// receiptInfoSubmit answers a request for information: the optional file
// first (a refused file leaves the case waiting and the text on the form),
// then the text, which sends the case back to its handlers.
func (s *Server) receiptInfoSubmit(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	body := strings.Clone(c.FormValue("body"))
	values := map[string]string{"body": body}
	ctx := c.UserContext()
	tok := receiptToken(c)
	if strings.TrimSpace(body) == "" {
		return s.receiptFormDone(c, "info", "", values, apperr.Invalid("body", "error.required"))
	}
	if fh, ferr := c.FormFile("file"); ferr == nil && fh.Size > 0 {
		err = s.receiptCall(c, func() error {
			return addFormFile(fh, func(name, declared string, r io.Reader) (*cases.EvidenceFile, error) {
				return s.cases.AddEvidenceByReceipt(ctx, t.ID, tok, name, declared, r)
			})
		})
		if err != nil {
			return s.receiptFormDone(c, "info", "", values, err)
		}
	}
	err = s.receiptCall(c, func() error {
		_, err := s.cases.AnswerInfoRequestByReceipt(ctx, t.ID, tok, body)
		return err
	})
	return s.receiptFormDone(c, "info", "info", values, err)
}

func (s *Server) receiptTransitionSubmit(c *fiber.Ctx, tr cases.Transition, formName string) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	reason := strings.Clone(c.FormValue("reason"))
	if strings.TrimSpace(reason) == "" {
		// Withdrawing and reopening both say why, for the handlers.
		return s.receiptFormDone(c, formName, "", map[string]string{"reason": reason}, apperr.Invalid("reason", "error.required"))
	}
	err = s.receiptCall(c, func() error {
		_, err := s.cases.TransitionByReceipt(c.UserContext(), t.ID, receiptToken(c), cases.TransitionInput{Transition: string(tr), Reason: reason})
		return err
	})
	return s.receiptFormDone(c, formName, formName, map[string]string{"reason": reason}, err)
}

func (s *Server) receiptReopenSubmit(c *fiber.Ctx) error {
	return s.receiptTransitionSubmit(c, cases.TransitionReopen, "reopen")
}

func (s *Server) receiptWithdrawSubmit(c *fiber.Ctx) error {
	return s.receiptTransitionSubmit(c, cases.TransitionWithdraw, "withdraw")
}

// receiptRateSubmit rates the case from the receipt page's rating form.
func (s *Server) receiptRateSubmit(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	in := ratingForm(c)
	in.Comment = strings.Clone(in.Comment)
	err = s.receiptCall(c, func() error {
		_, err := s.cases.RateByReceipt(c.UserContext(), t.ID, receiptToken(c), in)
		return err
	})
	values := map[string]string{"handling": strconv.Itoa(in.Handling), "outcome": strconv.Itoa(in.Outcome), "comment": in.Comment}
	return s.receiptFormDone(c, "rate", "rated", values, err)
}

// receiptCheckinSubmit answers a +30/+90-day check-in; a "yes" to
// retaliation opens a linked case, as the API does, whose new receipt
// code is shown once on the page.
func (s *Server) receiptCheckinSubmit(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	n, err := checkinNumber(c)
	if err != nil {
		return err
	}
	yes := func(name string) *bool {
		switch c.FormValue(name) {
		case "yes":
			b := true
			return &b
		case "no":
			b := false
			return &b
		}
		return nil
	}
	a := cases.CheckinAnswer{RemedyHeld: yes("remedy_held"), Retaliation: yes("retaliation"), Comment: strings.Clone(c.FormValue("comment"))}
	var res *cases.CheckinResult
	err = s.receiptCall(c, func() (err error) {
		res, err = s.cases.AnswerCheckinByReceipt(c.UserContext(), t.ID, receiptToken(c), n, a)
		return err
	})
	values := map[string]string{"remedy_held": c.FormValue("remedy_held"), "retaliation": c.FormValue("retaliation"), "comment": a.Comment}
	formName := "checkin-" + strconv.Itoa(n)
	if err == nil && res != nil && res.LinkedCase != nil && res.LinkedCase.ReceiptCode != "" {
		// The linked case's code exists in this reply only: show it now,
		// as the filing page does, rather than lose it in a redirect.
		pg := s.page(c, "case.filed_title")
		pg.Data = filedData{Filed: res.LinkedCase, Receipt: cases.FormatReceipt(res.LinkedCase.ReceiptCode)}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return s.render(c, fiber.StatusCreated, "case_filed", pg)
	}
	return s.receiptFormDone(c, formName, "checkin", values, err)
}

// receiptLeave ends the page session (a shared phone).
func (s *Server) receiptLeave(c *fiber.Ctx) error {
	s.clearReceiptCookie(c)
	return c.Redirect("/", fiber.StatusSeeOther)
}
