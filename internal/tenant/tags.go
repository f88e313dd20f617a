package tenant

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/classify"
	"github.com/suara-id/suara/internal/db"
)

// Tag is one entry of a union's tag vocabulary: what the classifier may put
// on a case beside its category, and what officers may choose when they
// correct a suggestion. Retired tags stay as rows (RetiredAt set): cases,
// suggestions and confirmed labels keep the slugs they carry.
type Tag struct {
	bun.BaseModel `bun:"table:tags"`

	TenantID  uuid.UUID  `bun:"tenant_id,pk,type:uuid"`
	Slug      string     `bun:"slug,pk"`
	NameID    string     `bun:"name_id"`
	NameEN    string     `bun:"name_en"`
	RetiredAt *time.Time `bun:"retired_at"`
	CreatedAt time.Time  `bun:"created_at,nullzero,default:now()"`
}

// Active reports whether the tag is offered (not retired).
func (t *Tag) Active() bool { return t.RetiredAt == nil }

// Name is the tag's label in locale (Indonesian unless "en").
func (t *Tag) Name(locale string) string {
	if locale == "en" {
		return t.NameEN
	}
	return t.NameID
}

// TagInput is what an admin sends to add a tag.
type TagInput struct {
	Slug   string `json:"slug" form:"slug"`
	NameID string `json:"name_id" form:"name_id"`
	NameEN string `json:"name_en" form:"name_en"`
}

// TagSpec is a tag of a taxonomy or sector template.
type TagSpec struct {
	Slug string `yaml:"slug"`
	Name Text   `yaml:"name"`
}

// Admin audit event kinds for tags.
const (
	EventTagAdded    = "tag.added"
	EventTagRestored = "tag.restored"
	EventTagRetired  = "tag.retired"
)

// maxTagName bounds a tag's label, like a category's name.
const maxTagName = 100

// tagAcronyms are slug words written in capitals when a label is made from
// a slug (humanTag).
var tagAcronyms = map[string]bool{"thr": true, "apd": true, "bhl": true, "pkb": true, "jht": true, "bpjs": true, "phk": true, "k3": true}

// humanTag makes a label from a slug for tags no template labels:
// "lembur_tidak_dibayar" → "Lembur tidak dibayar", "bpjs_kesehatan" →
// "BPJS kesehatan".
func humanTag(slug string) string {
	words := strings.Split(slug, "_")
	for i, w := range words {
		switch {
		case tagAcronyms[w]:
			words[i] = strings.ToUpper(w)
		case i == 0 && w != "":
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}

// Tags returns the tag vocabulary a manifest provisions: the default
// vocabulary the shipped classifier knows (classify.DefaultTags), labelled
// by the category template where it labels them, then the template's own
// extra tags, then each of the manifest's sectors' tags. Unlabelled tags
// get their slug as a label.
func (b *Bundle) Tags(m *Manifest) ([]TagSpec, error) {
	template := m.Categories.Template
	if template == "" {
		template = "default"
	}
	tmpl := b.Taxonomy[template].Tags
	for _, s := range m.Sectors {
		tmpl = append(tmpl, b.Sectors[s].Tags...)
	}
	return mergeTags(classify.DefaultTags(), tmpl)
}

// mergeTags lists slugs (labelled from specs where a spec has the slug)
// followed by the specs' other tags, each slug once.
func mergeTags(slugs []string, specs []TagSpec) ([]TagSpec, error) {
	bySlug := map[string]TagSpec{}
	for _, s := range specs {
		if !categorySlugRE.MatchString(s.Slug) {
			return nil, fmt.Errorf("tag %q: a slug is 2-40 lower-case letters, digits or underscores", s.Slug)
		}
		if _, dup := bySlug[s.Slug]; !dup {
			bySlug[s.Slug] = s
		}
	}
	var out []TagSpec
	seen := map[string]bool{}
	add := func(s TagSpec) {
		if seen[s.Slug] {
			return
		}
		seen[s.Slug] = true
		if s.Name.ID == "" {
			s.Name.ID = humanTag(s.Slug)
		}
		if s.Name.EN == "" {
			s.Name.EN = s.Name.ID
		}
		out = append(out, s)
	}
	for _, slug := range slugs {
		s, ok := bySlug[slug]
		if !ok {
			s = TagSpec{Slug: slug}
		}
		add(s)
	}
	for _, s := range specs {
		add(s)
	}
	return out, nil
}

// insertTags adds the specs the tenant in tx lacks, in one statement;
// existing tags, retired ones too, stay as the admins left them. It
// returns how many it added.
func insertTags(ctx context.Context, tx bun.Tx, tenantID uuid.UUID, specs []TagSpec) (int, error) {
	if len(specs) == 0 {
		return 0, nil
	}
	rows := make([]Tag, len(specs))
	for i, s := range specs {
		rows[i] = Tag{TenantID: tenantID, Slug: s.Slug, NameID: s.Name.ID, NameEN: s.Name.EN}
	}
	res, err := tx.NewInsert().Model(&rows).ExcludeColumn("created_at", "retired_at").
		On("CONFLICT (tenant_id, slug) DO NOTHING").Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("insert tags: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// ActiveTagSlugs lists the active tags of the tenant in tx, in slug order:
// the vocabulary the classifier may suggest from and officers may choose
// from. Never nil, so an empty vocabulary stays empty downstream.
func ActiveTagSlugs(ctx context.Context, tx bun.IDB) ([]string, error) {
	out := []string{}
	if err := tx.NewSelect().Model((*Tag)(nil)).Column("slug").Where("retired_at IS NULL").Order("slug").Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("load active tags: %w", err)
	}
	return out, nil
}

// tags lists every tag of the tenant, active ones first, each group by slug.
func (a *Admin) tags(ctx context.Context, tenantID uuid.UUID) ([]Tag, error) {
	out := []Tag{}
	err := db.InTenantTx(ctx, a.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(&out).OrderExpr("retired_at IS NOT NULL, slug").Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	return out, nil
}

// activeTags lists the tenant's active tags by slug.
func (a *Admin) activeTags(ctx context.Context, tenantID uuid.UUID) ([]Tag, error) {
	out := []Tag{}
	err := db.InTenantTx(ctx, a.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(&out).Where("retired_at IS NULL").Order("slug").Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("list active tags: %w", err)
	}
	return out, nil
}

// cleanTagName trims a label and refuses an empty, too long or
// control-character one.
func cleanTagName(v *apperr.Validation, field, s string) string {
	s = strings.Join(strings.Fields(s), " ")
	switch {
	case s == "":
		v.Add(field, "error.required")
	case len([]rune(s)) > maxTagName || strings.ContainsFunc(s, unicode.IsControl):
		v.Add(field, "error.invalid")
	}
	return s
}

// addTag adds a tag, or restores a retired one of the same slug with the
// new labels; an active one is a conflict. Nothing is written when the
// input is refused.
func (a *Admin) addTag(ctx context.Context, tenantID, actorID uuid.UUID, in TagInput) (*Tag, error) {
	v := &apperr.Validation{}
	slug := strings.TrimSpace(in.Slug)
	if !categorySlugRE.MatchString(slug) {
		v.Add("slug", "error.tag_slug")
	}
	tag := &Tag{TenantID: tenantID, Slug: slug, NameID: cleanTagName(v, "name_id", in.NameID), NameEN: cleanTagName(v, "name_en", in.NameEN)}
	if err := v.Err(); err != nil {
		return nil, err
	}
	err := db.InTenantTx(ctx, a.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		var cur Tag
		err := tx.NewSelect().Model(&cur).Where("slug = ?", slug).For("UPDATE").Scan(ctx)
		event := EventTagAdded
		switch err = db.MapError(err); {
		case err == nil && cur.Active():
			return &apperr.FieldConflict{Field: "slug", Key: "error.tag_exists"}
		case err == nil:
			event = EventTagRestored
			if _, err := tx.NewUpdate().Model(tag).Column("name_id", "name_en").Set("retired_at = NULL").WherePK().
				Returning("created_at").Exec(ctx); err != nil {
				return fmt.Errorf("restore tag: %w", err)
			}
		case errors.Is(err, apperr.ErrNotFound):
			if _, err := tx.NewInsert().Model(tag).ExcludeColumn("created_at", "retired_at").Returning("created_at").Exec(ctx); err != nil {
				return fmt.Errorf("insert tag: %w", db.MapError(err))
			}
		default:
			return err
		}
		return LogAdminEvent(ctx, tx, tenantID, actorID, event, slug, map[string]any{"name_id": tag.NameID, "name_en": tag.NameEN})
	})
	if err != nil {
		return nil, fmt.Errorf("add tag: %w", err)
	}
	return tag, nil
}

// retireTag stops offering a tag: the classifier no longer suggests it and
// officers can no longer choose it. Cases that carry it keep it.
func (a *Admin) retireTag(ctx context.Context, tenantID, actorID uuid.UUID, slug string) error {
	err := db.InTenantTx(ctx, a.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE tags SET retired_at = now() WHERE slug = ? AND retired_at IS NULL", slug)
		if err != nil {
			return fmt.Errorf("retire tag: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.ErrNotFound
		}
		return LogAdminEvent(ctx, tx, tenantID, actorID, EventTagRetired, slug, nil)
	})
	if err != nil {
		return fmt.Errorf("retire tag %q: %w", slug, err)
	}
	return nil
}
