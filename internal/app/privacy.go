package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"regexp"

	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/privacy"
)

// newPrivacy builds the privacy service over the case service and the
// evidence store the cases use.
func newPrivacy(cfg *config.Config, log *slog.Logger, bdb *bun.DB, svc *cases.Service) *privacy.Service {
	return privacy.New(bdb, privacy.Options{Cases: svc, Log: log,
		Store: evidenceStore(cfg)})
}

// DataCommand runs the data-duty commands for admins:
//
//	suara privacy run                                   carry out deletions and retention now, every tenant
//	suara privacy hold -tenant T -case REF -reason R    put a case under legal hold
//	suara privacy release -tenant T -case REF           lift a legal hold
//	suara privacy retention -tenant T [-anonymise-months N] [-evidence-months M]
//	                                                    show or set a tenant's retention
//	suara backup [-url URL] -o FILE                     pg_dump the database (custom format)
//	suara backup restore [-url URL] -i FILE             pg_restore a dump into an empty database
func DataCommand(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string, out io.Writer) error {
	if len(args) > 0 && args[0] == "backup" {
		return backupCommand(ctx, cfg, args[1:], out)
	}
	if len(args) < 2 {
		return fmt.Errorf("usage: suara privacy run|hold|release|retention")
	}
	bdb, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer bdb.Close()
	c, err := newCore(ctx, cfg, log, bdb)
	if err != nil {
		return err
	}
	svc := c.cases
	priv := newPrivacy(cfg, log, bdb, svc)
	fl := flag.NewFlagSet("privacy "+args[1], flag.ContinueOnError)
	slug := fl.String("tenant", "", "tenant slug")
	ref := fl.String("case", "", "case reference, e.g. SPN-2026-000123")
	reason := fl.String("reason", "", "why the case is held (required to hold)")
	anon := fl.Int("anonymise-months", -1, "anonymise closed cases after this many months (0 keeps)")
	evid := fl.Int("evidence-months", -1, "delete evidence of finished cases after this many months (0 keeps)")
	if err := fl.Parse(args[2:]); err != nil {
		return err
	}
	if args[1] == "run" {
		rep, err := priv.Sweep(ctx)
		fmt.Fprintf(out, "deletions done: %d, cases anonymised: %d, evidence files deleted: %d, skipped for legal hold: %d\n",
			rep.DeletionsDone, rep.Retention.CasesAnonymised, rep.Retention.EvidenceDeleted, rep.Retention.SkippedLegalHold)
		return err
	}
	if *slug == "" {
		return fmt.Errorf("privacy %s: -tenant is required", args[1])
	}
	tid, err := priv.TenantID(ctx, *slug)
	if err != nil {
		return err
	}
	switch args[1] {
	case "hold", "release":
		if *ref == "" {
			return fmt.Errorf("privacy %s: -case is required", args[1])
		}
		if err := priv.SetLegalHold(ctx, tid, *ref, args[1] == "hold", *reason); err != nil {
			return fmt.Errorf("%s %s: %w", args[1], *ref, err)
		}
		fmt.Fprintf(out, "%s: legal hold %s\n", *ref, map[bool]string{true: "on", false: "lifted"}[args[1] == "hold"])
		return nil
	case "retention":
		st, err := priv.GetSettings(ctx, tid)
		if err != nil {
			return err
		}
		if *anon >= 0 || *evid >= 0 {
			if *anon >= 0 {
				st.AnonymiseClosedAfterMonths = *anon
			}
			if *evid >= 0 {
				st.DeleteEvidenceAfterMonths = *evid
			}
			if err := priv.SetSettings(ctx, tid, st); err != nil {
				return err
			}
		}
		fmt.Fprintf(out, "%s: anonymise closed cases after %d months, delete evidence after %d months (0 = keep)\n",
			*slug, st.AnonymiseClosedAfterMonths, st.DeleteEvidenceAfterMonths)
		return nil
	}
	return fmt.Errorf("unknown privacy command %q", args[1])
}

// Log redaction: phone numbers and email addresses never reach the logs,
// whatever a message or an error carries (a pgx error quotes the failing
// row, say).
var (
	phoneRE = regexp.MustCompile(`(?:\+62|\b62|\b0)8\d{1,3}(?:[\s.-]?\d){6,10}\b`)
	emailRE = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)
)

// Redact replaces phone numbers and email addresses in s.
func Redact(s string) string {
	s = emailRE.ReplaceAllString(s, "[email]")
	return phoneRE.ReplaceAllString(s, "[phone]")
}

// redactHandler wraps a slog.Handler and redacts every string it logs.
type redactHandler struct{ h slog.Handler }

// NewRedactHandler wraps h so phones and emails are redacted.
func NewRedactHandler(h slog.Handler) slog.Handler { return redactHandler{h: h} }

func (r redactHandler) Enabled(ctx context.Context, l slog.Level) bool { return r.h.Enabled(ctx, l) }

func (r redactHandler) Handle(ctx context.Context, rec slog.Record) error {
	nr := slog.NewRecord(rec.Time, rec.Level, Redact(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		nr.AddAttrs(redactAttr(a))
		return true
	})
	return r.h.Handle(ctx, nr)
}

func (r redactHandler) WithAttrs(as []slog.Attr) slog.Handler {
	out := make([]slog.Attr, len(as))
	for i, a := range as {
		out[i] = redactAttr(a)
	}
	return redactHandler{h: r.h.WithAttrs(out)}
}

func (r redactHandler) WithGroup(name string) slog.Handler {
	return redactHandler{h: r.h.WithGroup(name)}
}

func redactAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, Redact(v.String()))
	case slog.KindGroup:
		g := v.Group()
		out := make([]any, len(g))
		for i, ga := range g {
			out[i] = redactAttr(ga)
		}
		return slog.Group(a.Key, out...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return slog.String(a.Key, Redact(x.Error()))
		case fmt.Stringer:
			return slog.String(a.Key, Redact(x.String()))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
