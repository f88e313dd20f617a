package web

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/evidence"
	"github.com/suara-id/suara/internal/ratelimit"
)

// uploadOverhead is what multipart framing and headers add to an upload.
const uploadOverhead = 1 << 20

// hintsPerAccount is how many duplicate-hint checks one account may make
// in an hour: enough for a worker writing a report, far too few to map a
// workplace's cases word by word.
const hintsPerAccount = 20

// isNotHintCheck skips the per-account hint limit on the filing form's
// steps other than "check for similar cases".
func isNotHintCheck(c *fiber.Ctx) bool { return c.FormValue("step") != "check" }

// perAccountLimit limits a signed-in account's requests (skip, when set,
// exempts some); signed-out callers pass through to the handler, which
// refuses them.
func (s *Server) perAccountLimit(max int, window time.Duration, skip func(*fiber.Ctx) bool) fiber.Handler {
	return s.sharedLimit(windowLimit{
		Name:   "account",
		Max:    max,
		Window: window,
		Next: func(c *fiber.Ctx) bool {
			return principal(c) == nil || (skip != nil && skip(c))
		},
		Key: func(c *fiber.Ctx) string {
			return principal(c).UserID.String()
		},
		Reached: func(c *fiber.Ctx, _ ratelimit.Result) error {
			return &apperr.Limited{RetryAfterSeconds: int(window.Seconds()), Key: "error.rate_limited"}
		},
	})
}

// isUpload reports whether the request is an evidence upload, whose body
// streams to disk under the evidence limits instead of BodyLimit.
func isUpload(c *fiber.Ctx) bool {
	return c.Method() == fiber.MethodPost && strings.HasSuffix(strings.TrimSuffix(c.Path(), "/"), "/evidence")
}

// limitBody restores the body limit that StreamRequestBody lifts: every
// route but evidence uploads gets at most BodyLimit bytes, read into memory
// as before. Uploads may be as large as the largest evidence limit plus
// framing; the evidence package enforces the exact per-kind limit while
// streaming.
func (s *Server) limitBody(c *fiber.Ctx) error {
	req := c.Request()
	n := req.Header.ContentLength()
	// A refused body is left unread on the connection: close it after the
	// answer rather than parse the rest as the next request.
	refuse := func(err error) error {
		c.Context().SetConnectionClose()
		return err
	}
	if isUpload(c) {
		l := s.cfg.Evidence.LimitsMB
		maxUpload := max(l.Photo, l.Audio, l.Video, l.Document)<<20 + uploadOverhead
		if int64(n) > maxUpload {
			return refuse(fiber.ErrRequestEntityTooLarge)
		}
		if n < 0 && !isAPI(c) {
			// Pages parse the form before the handler runs (CSRF), so
			// an unbounded chunked body is refused up front; browsers
			// always send a length.
			return refuse(fiber.ErrLengthRequired)
		}
		err := c.Next()
		if err != nil || c.Response().StatusCode() >= 400 {
			// The upload may have been refused before its end.
			c.Context().SetConnectionClose()
		}
		return err
	}
	limit := s.cfg.HTTP.BodyLimitMB << 20
	if n > limit {
		return refuse(fiber.ErrRequestEntityTooLarge)
	}
	if n != 0 && req.IsBodyStream() {
		body, err := io.ReadAll(io.LimitReader(c.Context().RequestBodyStream(), int64(limit)+1))
		if err != nil {
			return refuse(fiber.ErrBadRequest)
		}
		if len(body) > limit {
			return refuse(fiber.ErrRequestEntityTooLarge)
		}
		req.SetBody(body)
	}
	return c.Next()
}

func caseID(c *fiber.Ctx, param string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Params(param))
	if err != nil {
		return uuid.Nil, apperr.ErrNotFound
	}
	return id, nil
}

func (s *Server) apiFileCase(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	var f cases.Filing
	if err := parseJSON(c, &f); err != nil {
		return err
	}
	var out *cases.Filed
	if key := c.Get("Idempotency-Key"); key != "" {
		// A retry after a lost reply gets the first reply, not a second case.
		var replayed bool
		out, replayed, err = s.cases.FileOnce(c.UserContext(), t, principal(c), anonNamespace(c), strings.Clone(key), f)
		if replayed {
			c.Set("Idempotent-Replayed", "true")
		}
	} else {
		out, err = s.cases.File(c.UserContext(), t, principal(c), f)
	}
	if err != nil {
		return err
	}
	// The receipt code is in this reply only; keep it out of caches.
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (s *Server) apiSimilar(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	var body struct {
		WorkplaceID string `json:"workplace_id"`
		Description string `json:"description"`
	}
	if err := parseJSON(c, &body); err != nil {
		return err
	}
	wid, err := uuid.Parse(body.WorkplaceID)
	if err != nil {
		return apperr.Invalid("workplace_id", "error.invalid_choice")
	}
	hints, err := s.cases.DuplicateHints(c.UserContext(), t.ID, principal(c), wid, body.Description)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"similar": hints, "message": translate(reqCtx(c).loc, "case.similar_handled")})
}

func (s *Server) apiMyCases(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	p, err := requireSignedIn(c)
	if err != nil {
		return err
	}
	if p.IsStaff() {
		// Staff get their queue, with its filters (queue.go).
		return s.apiQueue(c, t, p)
	}
	limit, _ := strconv.Atoi(c.Query("limit"))
	list, next, err := s.cases.ListMine(c.UserContext(), t.ID, p, c.Query("cursor"), limit)
	if err != nil {
		return err
	}
	out := fiber.Map{"cases": list}
	if next != "" {
		out["next_cursor"] = next
	}
	return c.JSON(out)
}

func (s *Server) apiGetCase(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	id, err := caseID(c, "id")
	if err != nil {
		return err
	}
	v, err := s.cases.Get(c.UserContext(), t.ID, principal(c), id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(v)
}

func (s *Server) apiAddMessage(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	id, err := caseID(c, "id")
	if err != nil {
		return err
	}
	var body struct {
		Body string `json:"body"`
	}
	if err := parseJSON(c, &body); err != nil {
		return err
	}
	e, err := s.cases.AddMessage(c.UserContext(), t.ID, principal(c), id, body.Body)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(e)
}

func (s *Server) apiSupport(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	id, err := caseID(c, "id")
	if err != nil {
		return err
	}
	n, err := s.cases.Support(c.UserContext(), t.ID, principal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"supporters": n})
}

func (s *Server) apiRevealIdentity(c *fiber.Ctx) error {
	// Not requireTenantStaff: someone else's case is not found whoever asks.
	t, id, p, err := caseOf(c, requireSignedIn)
	if err != nil {
		return err
	}
	var body struct {
		Reason string `json:"reason"`
	}
	if err := parseJSON(c, &body); err != nil {
		return err
	}
	ident, err := s.cases.RevealIdentity(c.UserContext(), t.ID, p, id, body.Reason)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"reporter": ident})
}

func (s *Server) apiAddEvidence(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	id, err := caseID(c, "id")
	if err != nil {
		return err
	}
	p := principal(c)
	ctx := c.UserContext()
	return s.streamEvidence(c, func(name, declared string, r io.Reader) (*cases.EvidenceFile, error) {
		return s.cases.AddEvidence(ctx, t.ID, p, id, name, declared, r)
	})
}

// evidenceDownload sends an evidence file to the case's reporter or staff
// who may read it: the same bytes for the API and for the case page's link.
func (s *Server) evidenceDownload(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	id, err := caseID(c, "id")
	if err != nil {
		return err
	}
	fid, err := caseID(c, "file")
	if err != nil {
		return err
	}
	f, rc, err := s.cases.OpenEvidence(c.UserContext(), t.ID, principal(c), id, fid)
	if err != nil {
		return err
	}
	return sendEvidence(c, f, rc)
}

// errNoFile means a multipart upload had no "file" part.
var errNoFile = apperr.Invalid("file", "error.required")

// streamEvidence hands the "file" part of a multipart body to add as it
// arrives: nothing is buffered beyond the multipart reader's small window,
// so a 100 MB video costs kilobytes of memory here (the evidence package
// streams it to a temp file).
func (s *Server) streamEvidence(c *fiber.Ctx, add func(name, declared string, r io.Reader) (*cases.EvidenceFile, error)) error {
	mt, params, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || mt != fiber.MIMEMultipartForm || params["boundary"] == "" {
		return fiber.ErrUnsupportedMediaType
	}
	var body io.Reader
	if c.Request().IsBodyStream() {
		body = c.Context().RequestBodyStream()
	} else {
		body = bytes.NewReader(c.Body())
	}
	l := s.cfg.Evidence.LimitsMB
	body = io.LimitReader(body, max(l.Photo, l.Audio, l.Video, l.Document)<<20+uploadOverhead)
	mr := multipart.NewReader(body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return errNoFile
		}
		if err != nil {
			return fiber.ErrBadRequest
		}
		if part.FormName() != "file" {
			continue
		}
		// FileName would strip directories already; SafeName does the
		// rest. The raw header value is what the client sent.
		name := rawFileName(part)
		f, err := add(name, part.Header.Get(fiber.HeaderContentType), part)
		if err != nil {
			return s.evidenceError(c, err)
		}
		// Read the closing boundary (and any trailing parts, a little of
		// them) so the connection is ready for the next request.
		if n, _ := io.Copy(io.Discard, io.LimitReader(body, 64<<10)); n == 64<<10 {
			c.Context().SetConnectionClose()
		}
		return c.Status(fiber.StatusCreated).JSON(f)
	}
}

// rawFileName is the part's filename parameter as sent (evidence.SafeName
// cleans it for display; it is never a path).
func rawFileName(p *multipart.Part) string {
	_, params, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
	if err != nil {
		return ""
	}
	return params["filename"]
}

// evidenceStatus maps an evidence refusal code to its HTTP status.
func evidenceStatus(code string) int {
	switch code {
	case "evidence.too_large":
		return fiber.StatusRequestEntityTooLarge
	case "evidence.type_not_allowed", "evidence.heic_not_supported", "evidence.type_mismatch",
		"evidence.media_unavailable", "evidence.uncleanable":
		return fiber.StatusUnsupportedMediaType
	case "evidence.busy", "evidence.store_unavailable":
		return fiber.StatusServiceUnavailable
	case "evidence.too_many_files":
		return fiber.StatusConflict
	}
	return fiber.StatusUnprocessableEntity
}

// evidenceError answers a coded evidence refusal with its own code and a
// localised message; anything else goes to the central error handler.
func (s *Server) evidenceError(c *fiber.Ctx, err error) error {
	code := evidence.Code(err)
	if code == "" && errors.Is(err, io.ErrUnexpectedEOF) {
		// The upload ended before its closing boundary: the client's
		// fault (or a dropped connection), not the server's.
		return fiber.ErrBadRequest
	}
	if code == "" || code == "evidence.not_found" || code == "evidence.invalid_key" {
		return err
	}
	msg := translate(reqCtx(c).loc, code)
	if code == "evidence.busy" {
		// Every cleaning slot stayed taken while the upload waited.
		c.Set(fiber.HeaderRetryAfter, "10")
	}
	if code == "evidence.store_unavailable" {
		// The evidence bucket did not answer: nothing was stored.
		s.log.Warn("evidence store unavailable", "err", err)
		c.Set(fiber.HeaderRetryAfter, "30")
	}
	return c.Status(evidenceStatus(code)).JSON(apiError{Error: apiErrorBody{Code: code, Message: msg,
		Fields: map[string]string{"file": msg}}})
}

// sendEvidence serves a stored file: images inline, everything else as an
// attachment, never sniffed, never cached by shared caches.
func sendEvidence(c *fiber.Ctx, f *cases.EvidenceFile, rc io.ReadCloser) error {
	c.Set(fiber.HeaderContentType, f.MIME)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	disp := "attachment"
	if f.Kind == string(evidence.KindPhoto) {
		disp = "inline"
	}
	c.Set(fiber.HeaderContentDisposition, disp+`; filename="`+asciiName(f.DisplayName)+`"; filename*=UTF-8''`+url.PathEscape(f.DisplayName))
	c.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	return c.SendStream(rc, int(f.Size))
}

// asciiName is the fallback filename for old clients.
func asciiName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 0x20 && r < 0x7f && r != '"' && r != '\\' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// anonNamespace scopes an anonymous reporter's idempotency keys to their
// client: the browser's random CSRF cookie when it sends one (pages, the
// app's service worker), else the client address. A key and body repeated
// from another client then file anew instead of replaying someone else's
// receipt code. Only a hash of it, mixed with the key, is stored.
func anonNamespace(c *fiber.Ctx) string {
	if principal(c) != nil {
		return ""
	}
	if tok := c.Cookies(csrfCookie); len(tok) == 43 {
		return "cookie:" + tok
	}
	return "addr:" + c.IP()
}
