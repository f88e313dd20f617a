package web

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"gopkg.in/yaml.v3"
)

//go:embed locales/*.yaml
var localesFS embed.FS

// Locales the UI speaks; Indonesian first, as the default.
var supportedLocales = []string{"id", "en"}

func newBundle() (*i18n.Bundle, error) {
	b := i18n.NewBundle(language.Indonesian)
	b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	// One file per language and feature: <feature>.<lang>.yaml, or <lang>.yaml.
	files, err := fs.Glob(localesFS, "locales/*.yaml")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if _, err := b.LoadMessageFileFS(localesFS, f); err != nil {
			return nil, fmt.Errorf("load messages %s: %w", f, err)
		}
	}
	return b, nil
}

func translate(loc *i18n.Localizer, id string, args ...any) string {
	if loc == nil {
		return id
	}
	var data map[string]any
	if len(args) > 1 {
		data = make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			data[fmt.Sprint(args[i])] = args[i+1]
		}
	}
	msg, err := loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		// A missing message shows its id rather than failing the page; the
		// locale test keeps both files complete.
		return id
	}
	return msg
}

// pickLocale chooses from ?lang=, the lang cookie, Accept-Language, then the
// fallback.
func pickLocale(query, cookie, acceptLanguage, fallback string) (locale string, fromQuery bool) {
	if isSupported(query) {
		return query, true
	}
	if isSupported(cookie) {
		return cookie, false
	}
	if acceptLanguage != "" {
		tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
		if err == nil {
			for _, t := range tags {
				base, _ := t.Base()
				if isSupported(base.String()) {
					return base.String(), false
				}
			}
		}
	}
	if isSupported(fallback) {
		return fallback, false
	}
	return "id", false
}

func isSupported(l string) bool {
	l = strings.ToLower(l)
	for _, s := range supportedLocales {
		if s == l {
			return true
		}
	}
	return false
}
