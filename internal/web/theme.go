package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"regexp"

	"gopkg.in/yaml.v3"
)

// Theme is a tenant's branding: app name, colours, logo and favicon, plus
// optional template overrides.
type Theme struct {
	Name    string `yaml:"name"`
	AppName string `yaml:"app_name"`
	Colors  struct {
		Primary    string `yaml:"primary"`
		OnPrimary  string `yaml:"on_primary"`
		Accent     string `yaml:"accent"`
		Background string `yaml:"background"`
		Text       string `yaml:"text"`
	} `yaml:"colors"`
	Logo    string `yaml:"logo"`
	Favicon string `yaml:"favicon"`

	logo, favicon []byte
	css           []byte
	pages         map[string]*template.Template
}

var colorRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// loadThemes reads every folder of fsys (rooted at the themes folder).
func loadThemes(fsys fs.FS, base fs.FS) (map[string]*Theme, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read themes: %w", err)
	}
	// Parsed pages are the bulk of a theme's memory (about 5 MB of parse
	// trees); themes that override no template share one parse.
	shared, err := parsePages(base, nil)
	if err != nil {
		return nil, err
	}
	themes := map[string]*Theme{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		th, err := loadTheme(fsys, e.Name(), base, shared)
		if err != nil {
			return nil, err
		}
		themes[e.Name()] = th
	}
	if themes["default"] == nil {
		return nil, fmt.Errorf("themes: the default theme is missing")
	}
	return themes, nil
}

func loadTheme(fsys fs.FS, dir string, base fs.FS, shared map[string]*template.Template) (*Theme, error) {
	data, err := fs.ReadFile(fsys, path.Join(dir, "theme.yaml"))
	if err != nil {
		return nil, fmt.Errorf("theme %s: %w", dir, err)
	}
	th := &Theme{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(th); err != nil {
		return nil, fmt.Errorf("theme %s: parse theme.yaml: %w", dir, err)
	}
	th.Name = dir
	for name, c := range map[string]string{"primary": th.Colors.Primary, "on_primary": th.Colors.OnPrimary,
		"accent": th.Colors.Accent, "background": th.Colors.Background, "text": th.Colors.Text} {
		if !colorRE.MatchString(c) {
			return nil, fmt.Errorf("theme %s: colour %s must look like #1a2b3c, got %q", dir, name, c)
		}
	}
	if th.logo, err = fs.ReadFile(fsys, path.Join(dir, th.Logo)); err != nil {
		return nil, fmt.Errorf("theme %s: logo: %w", dir, err)
	}
	if th.favicon, err = fs.ReadFile(fsys, path.Join(dir, th.Favicon)); err != nil {
		return nil, fmt.Errorf("theme %s: favicon: %w", dir, err)
	}
	// Colours go to a stylesheet, not inline styles: the CSP forbids those.
	th.css = []byte(fmt.Sprintf(":root{--primary:%s;--on-primary:%s;--accent:%s;--bg:%s;--text:%s}\n",
		th.Colors.Primary, th.Colors.OnPrimary, th.Colors.Accent, th.Colors.Background, th.Colors.Text))
	th.pages = shared
	if overridden, _ := fs.Glob(fsys, path.Join(dir, "templates", "*.html")); len(overridden) > 0 {
		overrides, _ := fs.Sub(fsys, path.Join(dir, "templates"))
		if th.pages, err = parsePages(base, overrides); err != nil {
			return nil, fmt.Errorf("theme %s: %w", dir, err)
		}
	}
	return th, nil
}
