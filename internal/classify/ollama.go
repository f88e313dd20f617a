package classify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ollama/ollama/api"
)

// OllamaConfig configures the Ollama classifier.
type OllamaConfig struct {
	Host       string        // base URL, e.g. http://127.0.0.1:11434
	Model      string        // e.g. qwen2.5:3b
	Timeout    time.Duration // per classification, including queueing in Ollama
	KeepAlive  time.Duration // how long Ollama keeps the model loaded; 0 = server default
	NumCtx     int
	NumPredict int
	Seed       int
}

// Defaults for unset OllamaConfig fields.
const (
	DefaultOllamaHost    = "http://127.0.0.1:11434"
	defaultOllamaTimeout = 60 * time.Second
	defaultNumCtx        = 4096
	defaultNumPredict    = 512
	defaultSeed          = 42
	maxSteps             = 6
)

// Fallback reasons, stored with a Result so officers and operators can tell
// why the built-in answered.
const (
	ReasonTimeout      = "timeout"
	ReasonUnreachable  = "unreachable"
	ReasonModelMissing = "model_missing"
	ReasonHTTP         = "http_error"
	ReasonRequest      = "request_failed"
	ReasonEmpty        = "empty_reply"
	ReasonTruncated    = "truncated"
	ReasonInvalidJSON  = "invalid_json"
	ReasonInvalidReply = "invalid_reply"
)

// Ollama classifies with a local model through Ollama's /api/chat, asking
// for JSON constrained by a schema built from the tenant's own categories
// and tags. Any failure or invalid reply is answered by the fallback
// classifier with FallbackReason set: classification never fails because
// the model did.
type Ollama struct {
	cfg      OllamaConfig
	client   *api.Client
	fallback Classifier
	log      *slog.Logger
}

// NewOllama returns an Ollama classifier. fallback answers whenever Ollama
// cannot; it is required.
func NewOllama(cfg OllamaConfig, fallback Classifier, log *slog.Logger) (*Ollama, error) {
	if cfg.Model == "" {
		return nil, errors.New("new ollama: model is required")
	}
	if fallback == nil {
		return nil, errors.New("new ollama: fallback classifier is required")
	}
	if cfg.Host == "" {
		cfg.Host = DefaultOllamaHost
	}
	u, err := url.Parse(cfg.Host)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("new ollama: invalid host %q", cfg.Host)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultOllamaTimeout
	}
	if cfg.NumCtx <= 0 {
		cfg.NumCtx = defaultNumCtx
	}
	if cfg.NumPredict <= 0 {
		cfg.NumPredict = defaultNumPredict
	}
	if cfg.Seed == 0 {
		cfg.Seed = defaultSeed
	}
	if log == nil {
		log = slog.Default()
	}
	// No client-level timeout: each call carries its own deadline.
	return &Ollama{cfg: cfg, client: api.NewClient(u, &http.Client{}), fallback: fallback, log: log}, nil
}

// Available reports whether the Ollama server answers and has the model.
// An unreachable server is (false, err); a reachable one without the model
// is (false, nil).
func (o *Ollama) Available(ctx context.Context) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, min(o.cfg.Timeout, 10*time.Second))
	defer cancel()
	list, err := o.client.List(ctx)
	if err != nil {
		return false, fmt.Errorf("ollama list models: %w", err)
	}
	want := o.cfg.Model
	if !strings.Contains(want, ":") {
		want += ":latest"
	}
	for _, m := range list.Models {
		if m.Name == want || m.Model == want || m.Name == o.cfg.Model || m.Model == o.cfg.Model {
			return true, nil
		}
	}
	return false, nil
}

// ollamaReply is the JSON the schema asks the model for.
type ollamaReply struct {
	Category   string   `json:"category"`
	Confidence *float64 `json:"confidence"`
	Tags       []string `json:"tags"`
	Urgency    string   `json:"urgency"`
	Type       string   `json:"type"`
	Language   string   `json:"language"`
	Steps      []string `json:"steps"`
}

// Classify implements Classifier.
func (o *Ollama) Classify(ctx context.Context, in Input) (Result, error) {
	if len(in.Categories) == 0 {
		return Result{}, ErrNoCategories
	}
	start := time.Now()
	res, reason, err := o.ask(ctx, in)
	if reason == "" {
		res.Latency = time.Since(start)
		return res, nil
	}
	if ctx.Err() != nil {
		// The caller gave up; that is not Ollama's failure to report.
		return Result{}, ctx.Err()
	}
	attrs := []any{"reason", reason, "model", o.cfg.Model}
	if err != nil {
		attrs = append(attrs, "err", err.Error())
	}
	o.log.Warn("ollama classification failed, using fallback", attrs...)
	fb, ferr := o.fallback.Classify(ctx, in)
	if ferr != nil {
		return Result{}, fmt.Errorf("fallback classify after ollama %s: %w", reason, ferr)
	}
	fb.FallbackReason = reason
	fb.Latency = time.Since(start)
	return fb, nil
}

// ask calls Ollama once. A non-empty reason means the reply is unusable;
// err carries detail for the log (never case text).
func (o *Ollama) ask(ctx context.Context, in Input) (Result, string, error) {
	schema, err := json.Marshal(replySchema(in))
	if err != nil {
		return Result{}, ReasonInvalidReply, fmt.Errorf("marshal schema: %w", err)
	}
	stream := false
	req := &api.ChatRequest{
		Model: o.cfg.Model,
		Messages: []api.Message{
			{Role: "system", Content: systemPrompt(in)},
			{Role: "user", Content: userPrompt(in)},
		},
		Stream: &stream,
		Format: schema,
		Options: map[string]any{
			"temperature": 0,
			"seed":        o.cfg.Seed,
			"num_ctx":     o.cfg.NumCtx,
			"num_predict": o.cfg.NumPredict,
		},
	}
	if o.cfg.KeepAlive > 0 {
		req.KeepAlive = &api.Duration{Duration: o.cfg.KeepAlive}
	}
	cctx, cancel := context.WithTimeout(ctx, o.cfg.Timeout)
	defer cancel()
	var (
		content strings.Builder
		last    api.ChatResponse
		got     bool
	)
	err = o.client.Chat(cctx, req, func(r api.ChatResponse) error {
		got = true
		content.WriteString(r.Message.Content)
		last = r
		return nil
	})
	if err != nil {
		return Result{}, failureReason(cctx, err), err
	}
	if !got || !last.Done {
		return Result{}, ReasonEmpty, nil
	}
	if last.DoneReason == "length" {
		return Result{}, ReasonTruncated, nil
	}
	var rep ollamaReply
	dec := json.NewDecoder(strings.NewReader(content.String()))
	if err := dec.Decode(&rep); err != nil {
		return Result{}, ReasonInvalidJSON, err
	}
	res, err := validateReply(rep, in)
	if err != nil {
		return Result{}, ReasonInvalidReply, err
	}
	res.Model = o.cfg.Model
	res.Version = last.Model
	if res.Version == "" {
		res.Version = o.cfg.Model
	}
	return res, "", nil
}

func failureReason(ctx context.Context, err error) string {
	var se api.StatusError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		return ReasonTimeout
	case errors.As(err, &se) && se.StatusCode == http.StatusNotFound:
		return ReasonModelMissing
	case errors.As(err, &se):
		return fmt.Sprintf("%s_%d", ReasonHTTP, se.StatusCode)
	}
	var ne net.Error
	var oe *net.OpError
	if errors.As(err, &oe) || errors.As(err, &ne) {
		return ReasonUnreachable
	}
	return ReasonRequest
}

// validateReply checks the model's answer against the same constraints the
// schema states; models do not always honour a schema.
func validateReply(r ollamaReply, in Input) (Result, error) {
	slugs := make([]string, len(in.Categories))
	for i, c := range in.Categories {
		slugs[i] = c.Slug
	}
	if !contains(slugs, r.Category) {
		return Result{}, fmt.Errorf("category %q not among the %d active categories", r.Category, len(slugs))
	}
	if r.Confidence == nil || *r.Confidence < 0 || *r.Confidence > 1 {
		return Result{}, errors.New("confidence missing or outside [0,1]")
	}
	if !contains(urgencies, r.Urgency) {
		return Result{}, fmt.Errorf("urgency %q invalid", r.Urgency)
	}
	if !contains(caseTypes, r.Type) {
		return Result{}, fmt.Errorf("type %q invalid", r.Type)
	}
	if len(r.Tags) > MaxTags {
		return Result{}, fmt.Errorf("%d tags, at most %d allowed", len(r.Tags), MaxTags)
	}
	var tags []string
	for _, t := range r.Tags {
		if !contains(in.Tags, t) {
			return Result{}, fmt.Errorf("tag %q not in the vocabulary", t)
		}
		if !contains(tags, t) {
			tags = append(tags, t)
		}
	}
	res := Result{
		Category:   r.Category,
		Confidence: *r.Confidence,
		Tags:       tags,
		Urgency:    r.Urgency,
		Type:       r.Type,
		Language:   r.Language,
	}
	if contains(caseTypes, in.Type) {
		res.Type = in.Type // the reporter's own choice at filing wins
	}
	if !contains([]string{"id", "en", "jv"}, res.Language) {
		res.Language = detectLanguage(in.Text)
	}
	// The life-and-limb rules bind the language model as they bind the
	// built-in one: it may raise urgency, never lower it below their floor.
	if floor, why := UrgencyFloor(in.Text); floor != "" {
		res.Urgency = applyFloor(res.Urgency, floor)
		res.UrgencyRules = why
	}
	// The model's steps are the playbook tailored to this case (the prompt
	// carries the playbooks); without usable ones, the reviewed playbook.
	for _, s := range r.Steps {
		if s = strings.TrimSpace(s); s != "" && len(res.Steps) < maxSteps {
			res.Steps = append(res.Steps, s)
		}
	}
	if len(res.Steps) == 0 {
		if s := in.Playbook[r.Category]; len(s) > 0 {
			res.Steps = append([]string(nil), s...)
		} else {
			res.Steps = stepsFor(r.Category, in)
		}
	}
	return res, nil
}

// replySchema is the JSON schema of the reply, built per request so the
// category and tag enums are exactly the tenant's.
func replySchema(in Input) map[string]any {
	slugs := make([]string, len(in.Categories))
	for i, c := range in.Categories {
		slugs[i] = c.Slug
	}
	tagItems := map[string]any{"type": "string"}
	tags := map[string]any{"type": "array", "items": tagItems, "maxItems": MaxTags}
	if len(in.Tags) > 0 {
		tagItems["enum"] = in.Tags
	} else {
		tags["maxItems"] = 0
	}
	return map[string]any{
		"type": "object",
		"properties": map[string]any{
			"category":   map[string]any{"type": "string", "enum": slugs},
			"confidence": map[string]any{"type": "number", "minimum": 0, "maximum": 1},
			"tags":       tags,
			"urgency":    map[string]any{"type": "string", "enum": urgencies},
			"type":       map[string]any{"type": "string", "enum": caseTypes},
			"language":   map[string]any{"type": "string", "enum": []string{"id", "en", "jv"}},
			"steps":      map[string]any{"type": "array", "items": map[string]any{"type": "string"}, "maxItems": maxSteps},
		},
		"required": []string{"category", "confidence", "tags", "urgency", "type", "language", "steps"},
	}
}

func systemPrompt(in Input) string {
	var b strings.Builder
	b.WriteString("You classify grievances filed by workers with an Indonesian trade union (garment, footwear and palm-oil sectors). ")
	b.WriteString("Texts are in Indonesian, often informal WhatsApp style with abbreviations, sometimes mixed with Javanese or English. ")
	b.WriteString("Answer only with JSON matching the given schema.\n\nCategories (slug: English name / Indonesian name - description):\n")
	for _, c := range in.Categories {
		fmt.Fprintf(&b, "- %s: %s / %s", c.Slug, c.NameEN, c.NameID)
		if d := strings.TrimSpace(c.DescriptionEN + " " + c.DescriptionID); d != "" {
			b.WriteString(" - " + d)
		}
		b.WriteString("\n")
	}
	b.WriteString(`
Labelling conventions: choose the main grievance when several are mentioned. Unpaid or forced overtime is jam_kerja, not upah. Dismissal after an accident is phk. Not renewing a contract because of pregnancy is diskriminasi; pressure on a pregnant worker at work is cuti. A loan or debt that stops people from resigning, withheld diplomas or ID cards, and underage workers are kerja_paksa_anak. Dismissal or transfer of union members for union activity is berserikat.
Urgency: critical = immediate danger to life or safety, physical or sexual assault, children at work, people locked in; high = sexual harassment, forced-labour signs (debt, documents held, guards), loss of income or job, injuries, threats; normal = ongoing violations; low = suggestions and questions.
Type: complaint = reports a violation; aspiration = a suggestion or hope (mohon, usul, harap, semoga); information = a question asking for information.
Tags: up to 5 from the allowed list that describe the text; none if nothing fits.
Language: the main language of the text: id (Indonesian), en (English) or jv (Javanese).
Confidence: your probability (0 to 1) that the category is right.
`)
	lang := "Indonesian"
	if in.Locale == "en" {
		lang = "English"
	}
	fmt.Fprintf(&b, "Steps: 2 to 4 short recommended follow-up actions for the union officer, in %s, following Indonesian dispute procedure (documentation, bipartite negotiation, labour office). Base them on the union's playbook for the chosen category below, tailored to this case; recommend steps, never a verdict.\n", lang)
	if len(in.Playbook) > 0 {
		b.WriteString("\nPlaybooks (category: steps):\n")
		for _, c := range in.Categories {
			if steps := in.Playbook[c.Slug]; len(steps) > 0 {
				fmt.Fprintf(&b, "- %s: %s\n", c.Slug, strings.Join(steps, "; "))
			}
		}
	}
	return b.String()
}

func userPrompt(in Input) string {
	typ := in.Type
	if typ == "" {
		typ = "unknown"
	}
	sector := in.Sector
	if sector == "" {
		sector = "unknown"
	}
	return fmt.Sprintf("Sector: %s\nType chosen by the reporter: %s\nText:\n%s", sector, typ, in.Text)
}
