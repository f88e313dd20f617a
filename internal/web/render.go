package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/tenant"
	"github.com/suara-id/suara/internal/workday"
)

//go:embed templates/*.html
var templatesFS embed.FS

//go:embed static
var staticFS embed.FS

// parsePages builds one template set per page: the layout plus the page.
// A theme's overrides replace files of the same name.
func parsePages(base fs.FS, overrides fs.FS) (map[string]*template.Template, error) {
	read := func(name string) ([]byte, error) {
		if overrides != nil {
			if b, err := fs.ReadFile(overrides, name); err == nil {
				return b, nil
			}
		}
		return fs.ReadFile(base, "templates/"+name)
	}
	layout, err := read("layout.html")
	if err != nil {
		return nil, fmt.Errorf("layout template: %w", err)
	}
	entries, err := fs.ReadDir(base, "templates")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	// partial_*.html define field groups that pages include by name.
	var partials []string
	for _, e := range entries {
		if name := e.Name(); strings.HasPrefix(name, "partial_") && strings.HasSuffix(name, ".html") {
			body, err := read(name)
			if err != nil {
				return nil, err
			}
			partials = append(partials, string(body))
		}
	}
	for _, e := range entries {
		name := e.Name()
		if name == "layout.html" || !strings.HasSuffix(name, ".html") || strings.HasPrefix(name, "partial_") {
			continue
		}
		body, err := read(name)
		if err != nil {
			return nil, err
		}
		t, err := template.New("layout").Funcs(funcs).Parse(string(layout))
		if err != nil {
			return nil, fmt.Errorf("parse layout: %w", err)
		}
		for _, partial := range partials {
			if _, err := t.Parse(partial); err != nil {
				return nil, fmt.Errorf("parse partials: %w", err)
			}
		}
		if _, err := t.Parse(string(body)); err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		pages[strings.TrimSuffix(name, ".html")] = t
	}
	return pages, nil
}

var wib = workday.Jakarta()

var funcs = template.FuncMap{
	"inc": func(i int) int { return i + 1 },
	// split and join: fixed choice lists and list fields in partials.
	"split": func(s string) []string { return strings.Split(s, ",") },
	"join":  func(s []string, sep string) string { return strings.Join(s, sep) },
	// when prints a moment as reporters and officers read it, in WIB: the
	// server's own zone (often UTC) would put a meeting seven hours off.
	"when": func(t time.Time) string { return t.In(wib).Format("2006-01-02 15:04 MST") },
	// deref reads a pointer field (a parent id, a headcount); nil stays nil.
	"deref": func(v any) any {
		rv := reflect.ValueOf(v)
		if rv.Kind() != reflect.Pointer {
			return v
		}
		if rv.IsNil() {
			return nil
		}
		return rv.Elem().Interface()
	},
}

// Page is what every template receives: the tenant, theme, locale and a
// translator, plus the page's own Data.
type Page struct {
	Tenant    *tenant.Tenant // nil on the platform
	Theme     *Theme
	AppName   string
	Locale    string
	AltLocale string
	Path      string
	Title     string
	CSRF      string
	Data      any
	// SignedIn is the account's name when someone is signed in; Worker
	// is set when that account is a union's worker, Staff when it is one
	// of its officers or admins (journey.go's nav).
	SignedIn      string
	Worker, Staff bool
	// ThemeCSS and LogoURL are the tenant's stylesheet and logo (with a
	// version when its admins changed them); PreviewCSS, Welcome and
	// Preview are set by the branding preview (admin_branding.go).
	ThemeCSS, LogoURL, PreviewCSS string
	Welcome                       string
	Preview                       *brandingPreview
	// CategoryNames maps category slugs to names in the reader's language,
	// for pages that print slugs stored in events (Details).
	CategoryNames map[string]string

	loc *i18n.Localizer
	// statusWords loads the tenant's own wording of statuses for
	// reporters, once, when a page first asks (ReporterStatus).
	statusWords func() map[cases.Status]cases.StatusWording
	// forReporter marks a reporter's view of a case: its timeline words
	// statuses as the reporter's header does (Details).
	forReporter bool
	// unread counts the account's unread notifications, once (Unread);
	// branchNames names the tenant's branches by path, once (Place).
	unread      func() int
	branchNames func() map[string]string
}

// ReporterStatus is a status as the tenant words it for its reporters: its
// own label in the reader's language, else the default wording.
func (p *Page) ReporterStatus(st cases.Status) string {
	var words map[cases.Status]cases.StatusWording
	if p.statusWords != nil {
		words = p.statusWords()
	}
	return wordStatus(p.loc, p.Locale, words, st)
}

// T translates a message id; args are alternating key, value pairs.
func (p *Page) T(id string, args ...any) string {
	return translate(p.loc, id, args...)
}

// render writes page name with status.
func (s *Server) render(c *fiber.Ctx, status int, name string, p *Page) error {
	th := p.Theme
	if th == nil {
		th = s.themes["default"]
		p.Theme = th
	}
	t := th.pages[name]
	if t == nil {
		return fmt.Errorf("no template %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	c.Status(status)
	c.Type("html", "utf-8")
	return c.Send(buf.Bytes())
}

// page starts a Page for the current request.
func (s *Server) page(c *fiber.Ctx, title string) *Page {
	rc := reqCtx(c)
	p := &Page{Tenant: rc.Tenant, Locale: rc.Locale, AltLocale: otherLocale(rc.Locale), Path: c.Path(), loc: rc.loc, CSRF: csrfToken(c)}
	if rc.Principal != nil {
		p.SignedIn = rc.Principal.Name
	}
	s.journeyPage(c, p)
	p.Theme = s.themes["default"]
	p.AppName = "Suara"
	if rc.Tenant != nil {
		if th := s.themes[rc.Tenant.Theme]; th != nil {
			p.Theme = th
		}
		p.AppName = rc.Tenant.AppName
	}
	p.ThemeCSS, p.LogoURL = "/theme.css", "/logo.svg"
	if rc.Tenant != nil {
		ctx, tenantID := c.UserContext(), rc.Tenant.ID
		p.statusWords = sync.OnceValue(func() map[cases.Status]cases.StatusWording {
			words, err := s.cases.StatusWordings(ctx, tenantID)
			if err != nil {
				// A label is not worth failing a reporter's page for.
				s.log.Warn("status wording: default wording shown", "err", err)
			}
			return words
		})
		if b := rc.Tenant.Settings.Branding; b.HasColors() || b.Logo != "" {
			v := "?v=" + brandingVersion(b)
			p.ThemeCSS, p.LogoURL = p.ThemeCSS+v, p.LogoURL+v
		}
	}
	if title != "" {
		p.Title = p.T(title)
	}
	return p
}

func otherLocale(l string) string {
	if l == "en" {
		return "id"
	}
	return "en"
}

// csrfToken is filled in by the CSRF middleware once forms exist.
func csrfToken(c *fiber.Ctx) string {
	if v, ok := c.Locals("csrf").(string); ok {
		return v
	}
	return ""
}
