package tenant

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Manifest provisions one tenant (tenants/<slug>.yaml).
type Manifest struct {
	Slug          string            `yaml:"slug"`
	Name          string            `yaml:"name"`
	ShortName     string            `yaml:"short_name"`
	AppName       string            `yaml:"app_name"`
	Domains       []string          `yaml:"domains"`
	DefaultLocale string            `yaml:"default_locale"`
	Theme         string            `yaml:"theme"`
	Sectors       []string          `yaml:"sectors"`
	Settings      Settings          `yaml:"settings"`
	Org           OrgNode           `yaml:"org"`
	Workplaces    []WorkplaceSpec   `yaml:"workplaces"`
	Categories    CategoriesSection `yaml:"categories"`
}

// Settings are a tenant's own switches, stored as JSON on the tenant row.
type Settings struct {
	AnonymousFiling     bool `yaml:"anonymous_filing" json:"anonymous_filing"`
	ReopenWindowDays    int  `yaml:"reopen_window_days" json:"reopen_window_days"`
	EscalationGraceDays int  `yaml:"escalation_grace_days" json:"escalation_grace_days"`
	// RequireStaff2FA is the union's own choice whether its staff must
	// enrol in two-step verification before they act; nil (unset) follows
	// the platform's default (security.require_2fa: on in production), and
	// the platform's "on" overrides a union's false (auth.Staff2FAFor).
	RequireStaff2FA *bool `yaml:"require_staff_2fa,omitempty" json:"require_staff_2fa,omitempty"`
	// AnalyticsAnonymous shows the union as "Union A" in cross-union
	// aggregates; AnalyticsShareCompany lets its employers' names appear.
	AnalyticsAnonymous    bool `yaml:"analytics_anonymous" json:"analytics_anonymous"`
	AnalyticsShareCompany bool `yaml:"analytics_share_company" json:"analytics_share_company"`
	// Branding is what the tenant's admins set over their theme (branding.go).
	Branding Branding `yaml:"branding" json:"branding"`
}

// OrgNode is one branch of the union's tree; the root is the national level
// and its path is the tenant slug.
type OrgNode struct {
	Slug      string    `yaml:"slug"`
	Name      string    `yaml:"name"`
	Level     string    `yaml:"level"`
	Workplace string    `yaml:"workplace"`
	Children  []OrgNode `yaml:"children"`
}

type WorkplaceSpec struct {
	Slug      string `yaml:"slug"`
	Company   string `yaml:"company"`
	Name      string `yaml:"name"`
	Sector    string `yaml:"sector"`
	Province  string `yaml:"province"`
	District  string `yaml:"district"`
	Estate    string `yaml:"estate"`
	Afdeling  string `yaml:"afdeling"`
	Headcount *int   `yaml:"headcount"`
}

type CategoriesSection struct {
	Template string         `yaml:"template"`
	Extra    []CategorySpec `yaml:"extra"`
}

// Text is a string in both languages.
type Text struct {
	ID string `yaml:"id"`
	EN string `yaml:"en"`
}

// In returns the text in locale, falling back to Indonesian.
func (t Text) In(locale string) string {
	if locale == "en" && t.EN != "" {
		return t.EN
	}
	return t.ID
}

type CategorySpec struct {
	Slug        string   `yaml:"slug"`
	Name        Text     `yaml:"name"`
	Description Text     `yaml:"description"`
	SLA         SLA      `yaml:"sla"`
	Restricted  bool     `yaml:"restricted"`
	Notice      Text     `yaml:"notice"`
	Playbook    Playbook `yaml:"playbook"`
	Keywords    []string `yaml:"keywords"`
	Parent      string   `yaml:"parent"`
	Sectors     []string `yaml:"sectors"`
	Examples    []string `yaml:"examples"`
}

type SLA struct {
	FirstResponseDays int `yaml:"first_response_days"`
	ResolutionDays    int `yaml:"resolution_days"`
}

type Playbook struct {
	ID []string `yaml:"id"`
	EN []string `yaml:"en"`
}

// Taxonomy is a category template (tenants/taxonomy/default.yaml).
type Taxonomy struct {
	Categories []CategorySpec `yaml:"categories"`
	// Tags labels default tags and adds the template's own (Bundle.Tags).
	Tags []TagSpec `yaml:"tags"`
}

// SectorTemplate carries one sector's example grievances per category
// (tenants/taxonomy/<sector>.yaml).
type SectorTemplate struct {
	Sector   string              `yaml:"sector"`
	Name     Text                `yaml:"name"`
	Examples map[string][]string `yaml:"examples"`
	// Tags are the sector's own tags, added to a union's vocabulary with
	// the sector (Apply, Admin.ApplySector).
	Tags []TagSpec `yaml:"tags"`
}

// Bundle is everything read from a tenants folder.
type Bundle struct {
	Manifests []Manifest
	Taxonomy  map[string]Taxonomy       // by template name
	Sectors   map[string]SectorTemplate // by sector
}

var (
	slugRE       = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,38}[a-z0-9]$`)
	catSlugRE    = regexp.MustCompile(`^[a-z0-9_]+$`)
	branchSlugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	domainRE     = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)
	levelOrder   = map[string]int{"national": 0, "province": 1, "city": 2, "unit": 3}
)

// KnownSectors are the sectors a manifest may name.
var KnownSectors = []string{"garment", "footwear", "palm_oil", "leather"}

// LoadBundle reads every manifest (*.yaml at the top of dir) and the
// templates under dir/taxonomy, strictly: unknown keys are errors.
func LoadBundle(fsys fs.FS, dir string) (*Bundle, error) {
	b := &Bundle{Taxonomy: map[string]Taxonomy{}, Sectors: map[string]SectorTemplate{}}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read tenants folder: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		var m Manifest
		if err := decodeFile(fsys, path.Join(dir, e.Name()), &m); err != nil {
			return nil, err
		}
		b.Manifests = append(b.Manifests, m)
	}
	taxDir := path.Join(dir, "taxonomy")
	taxEntries, err := fs.ReadDir(fsys, taxDir)
	if err != nil {
		return nil, fmt.Errorf("read taxonomy folder: %w", err)
	}
	for _, e := range taxEntries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		name := strings.TrimSuffix(e.Name(), ".yaml")
		file := path.Join(taxDir, e.Name())
		if isSector(name) {
			var s SectorTemplate
			if err := decodeFile(fsys, file, &s); err != nil {
				return nil, err
			}
			b.Sectors[name] = s
			continue
		}
		var t Taxonomy
		if err := decodeFile(fsys, file, &t); err != nil {
			return nil, err
		}
		b.Taxonomy[name] = t
	}
	sort.Slice(b.Manifests, func(i, j int) bool { return b.Manifests[i].Slug < b.Manifests[j].Slug })
	var errs []error
	seen := map[string]bool{}
	for i := range b.Manifests {
		m := &b.Manifests[i]
		if seen[m.Slug] {
			errs = append(errs, fmt.Errorf("tenant %s: declared twice", m.Slug))
		}
		seen[m.Slug] = true
		if err := b.validate(m); err != nil {
			errs = append(errs, err)
		}
	}
	return b, errors.Join(errs...)
}

// ParseManifest decodes one manifest strictly (used by fuzzing and tests).
func ParseManifest(data []byte) (*Manifest, error) {
	var m Manifest
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("parse manifest: %w", err)
	}
	return &m, nil
}

func decodeFile(fsys fs.FS, file string, v any) error {
	data, err := fs.ReadFile(fsys, file)
	if err != nil {
		return fmt.Errorf("read %s: %w", file, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("parse %s: %w", file, err)
	}
	return nil
}

func isSector(s string) bool {
	for _, k := range KnownSectors {
		if k == s {
			return true
		}
	}
	return false
}

// Categories returns the manifest's full category list: the template's
// categories with the examples of the tenant's sectors, then the extras.
func (b *Bundle) Categories(m *Manifest) ([]CategorySpec, error) {
	var out []CategorySpec
	if m.Categories.Template != "" {
		tax, ok := b.Taxonomy[m.Categories.Template]
		if !ok {
			return nil, fmt.Errorf("tenant %s: unknown category template %q", m.Slug, m.Categories.Template)
		}
		for _, c := range tax.Categories {
			c.Examples = append([]string(nil), c.Examples...)
			for _, s := range m.Sectors {
				c.Examples = append(c.Examples, b.Sectors[s].Examples[c.Slug]...)
			}
			out = append(out, c)
		}
	}
	return append(out, m.Categories.Extra...), nil
}

func (b *Bundle) validate(m *Manifest) error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("tenant %s: %s", m.Slug, fmt.Sprintf(format, args...)))
	}
	if !slugRE.MatchString(m.Slug) {
		bad("slug must be 2-40 lower-case letters, digits or dashes")
	}
	if m.Name == "" || m.ShortName == "" || m.AppName == "" {
		bad("name, short_name and app_name are required")
	}
	if m.DefaultLocale != "id" && m.DefaultLocale != "en" {
		bad("default_locale must be id or en")
	}
	for _, d := range m.Domains {
		if !domainRE.MatchString(d) {
			bad("domain %q is not a lower-case host name", d)
		}
	}
	if len(m.Sectors) == 0 {
		bad("at least one sector is required")
	}
	for _, s := range m.Sectors {
		if !isSector(s) {
			bad("unknown sector %q (known: %s)", s, strings.Join(KnownSectors, ", "))
		}
	}
	wps := map[string]bool{}
	for _, w := range m.Workplaces {
		if !slugRE.MatchString(w.Slug) || w.Company == "" {
			bad("workplace %q needs a slug and a company", w.Slug)
		}
		if !isSector(w.Sector) {
			bad("workplace %s: unknown sector %q", w.Slug, w.Sector)
		}
		if wps[w.Slug] {
			bad("workplace %s declared twice", w.Slug)
		}
		wps[w.Slug] = true
	}
	if m.Org.Name == "" || m.Org.Level != "national" {
		bad("org root needs a name and level national")
	}
	paths := map[string]bool{}
	var walk func(n OrgNode, parentPath string, parentLevel int)
	walk = func(n OrgNode, parentPath string, parentLevel int) {
		for _, c := range n.Children {
			p := parentPath + "/" + c.Slug
			lvl, ok := levelOrder[c.Level]
			switch {
			case !branchSlugRE.MatchString(c.Slug):
				bad("branch %q: bad slug", p)
			case !ok || lvl <= parentLevel:
				bad("branch %s: level %q must be below its parent's", p, c.Level)
			case c.Name == "":
				bad("branch %s: name is required", p)
			case paths[p]:
				bad("branch %s declared twice", p)
			case c.Workplace != "" && !wps[c.Workplace]:
				bad("branch %s: unknown workplace %q", p, c.Workplace)
			}
			paths[p] = true
			walk(c, p, lvl)
		}
	}
	walk(m.Org, m.Slug, 0)
	cats, err := b.Categories(m)
	if err != nil {
		errs = append(errs, err)
	}
	slugs := map[string]bool{}
	for _, c := range cats {
		if !catSlugRE.MatchString(c.Slug) || c.Name.ID == "" || c.Name.EN == "" {
			bad("category %q needs a slug and names in id and en", c.Slug)
		}
		if slugs[c.Slug] {
			bad("category %s declared twice", c.Slug)
		}
		if c.Parent != "" && !slugs[c.Parent] {
			bad("category %s: parent %q must be declared before it", c.Slug, c.Parent)
		}
		slugs[c.Slug] = true
	}
	return errors.Join(errs...)
}
