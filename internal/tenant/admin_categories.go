package tenant

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/db"
)

// Limits on what admins type into a category. They keep a category's
// classifier input and filing-form notice to a size a cheap phone and the
// built-in model handle.
const (
	maxCategoryName     = 100
	maxCategoryText     = 2000
	maxCategoryListLen  = 200
	maxCategoryListItem = 1000
	maxSLADays          = 365
)

var categorySlugRE = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)

// CategoryInput is what an admin sends to create or change a category.
// On update a nil field keeps its value; on create Slug, NameID and NameEN
// are required and the rest default.
type CategoryInput struct {
	Slug                 *string   `json:"slug"`
	ParentID             *string   `json:"parent_id"` // "" = top level
	NameID               *string   `json:"name_id"`
	NameEN               *string   `json:"name_en"`
	DescriptionID        *string   `json:"description_id"`
	DescriptionEN        *string   `json:"description_en"`
	Sectors              *[]string `json:"sectors"`
	SLAFirstResponseDays *int      `json:"sla_first_response_days"`
	SLAResolutionDays    *int      `json:"sla_resolution_days"`
	Restricted           *bool     `json:"restricted"`
	NoticeID             *string   `json:"notice_id"`
	NoticeEN             *string   `json:"notice_en"`
	PlaybookID           *[]string `json:"playbook_id"`
	PlaybookEN           *[]string `json:"playbook_en"`
	Keywords             *[]string `json:"keywords"`
	Examples             *[]string `json:"examples"`
	// Handlers are the staff user ids allowed to see a restricted
	// category's cases (besides federation admins).
	Handlers *[]string `json:"handlers"`
}

// AdminCategory is a category as the admin pages show it: hidden and
// merged ones included, with its named handlers and its depth in the tree.
// How many cases use it is the cases package's to count
// (cases.Service.AdminCategories).
type AdminCategory struct {
	Category
	MergedInto *uuid.UUID
	Handlers   []uuid.UUID
	Depth      int
}

// Admin audit event kinds for categories.
const (
	EventCategoryCreated  = "category.created"
	EventCategoryUpdated  = "category.updated"
	EventCategoryHidden   = "category.hidden"
	EventCategoryShown    = "category.shown"
	EventCategoryMerged   = "category.merged"
	EventCategoryDeleted  = "category.deleted"
	EventCategoryReorderd = "category.reordered"
)

// categories lists every category of the tenant, hidden and merged ones
// too, parents before their children, each level in its sort order.
func (a *Admin) categories(ctx context.Context, tenantID uuid.UUID) ([]AdminCategory, error) {
	var out []AdminCategory
	err := db.InTenantTx(ctx, a.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		var err error
		out, err = CategoryTree(ctx, tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list categories: %w", err)
	}
	return out, nil
}

// category returns one category with its handlers.
func (a *Admin) category(ctx context.Context, tenantID, id uuid.UUID) (*AdminCategory, error) {
	all, err := a.categories(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].ID == id {
			return &all[i], nil
		}
	}
	return nil, apperr.ErrNotFound
}

// CategoryTree lists every category of the tenant in tx, hidden and merged
// ones too, parents before their children, each level in its sort order.
// cases.Service.AdminCategories adds the case counts in the same
// transaction.
func CategoryTree(ctx context.Context, tx bun.Tx) ([]AdminCategory, error) {
	var cats []Category
	if err := tx.NewSelect().Model(&cats).Order("sort_order", "slug").Scan(ctx); err != nil {
		return nil, fmt.Errorf("load categories: %w", err)
	}
	extra := map[uuid.UUID]*AdminCategory{}
	for i := range cats {
		extra[cats[i].ID] = &AdminCategory{Category: cats[i], Handlers: []uuid.UUID{}}
	}
	rows, err := tx.QueryContext(ctx, `SELECT k.id, k.merged_into,
			coalesce((SELECT array_agg(h.user_id ORDER BY h.user_id) FROM category_handlers h WHERE h.category_id = k.id), '{}')
		FROM categories k`)
	if err != nil {
		return nil, fmt.Errorf("load category details: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id uuid.UUID
		var merged *uuid.UUID
		var handlers []string
		if err := rows.Scan(&id, &merged, pgdialect.Array(&handlers)); err != nil {
			return nil, err
		}
		if ac := extra[id]; ac != nil {
			ac.MergedInto = merged
			for _, h := range handlers {
				if u, err := uuid.Parse(h); err == nil {
					ac.Handlers = append(ac.Handlers, u)
				}
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Depth-first over the tree so children follow their parent.
	children := map[uuid.UUID][]uuid.UUID{}
	var roots []uuid.UUID
	for _, c := range cats {
		if c.ParentID == nil || extra[*c.ParentID] == nil {
			roots = append(roots, c.ID)
		} else {
			children[*c.ParentID] = append(children[*c.ParentID], c.ID)
		}
	}
	out := make([]AdminCategory, 0, len(cats))
	seen := map[uuid.UUID]bool{}
	var walk func(id uuid.UUID, depth int)
	walk = func(id uuid.UUID, depth int) {
		if seen[id] {
			return
		}
		seen[id] = true
		ac := extra[id]
		ac.Depth = depth
		out = append(out, *ac)
		for _, ch := range children[id] {
			walk(ch, depth+1)
		}
	}
	for _, r := range roots {
		walk(r, 0)
	}
	return out, nil
}

// createCategory adds a category and logs it.
func (a *Admin) createCategory(ctx context.Context, t *Tenant, actorID uuid.UUID, in CategoryInput) (*Category, error) {
	v := &apperr.Validation{}
	if in.Slug == nil || !categorySlugRE.MatchString(strings.TrimSpace(*in.Slug)) {
		v.Add("slug", "error.category_slug")
	}
	if in.NameID == nil || strings.TrimSpace(*in.NameID) == "" {
		v.Add("name_id", "error.required")
	}
	if in.NameEN == nil || strings.TrimSpace(*in.NameEN) == "" {
		v.Add("name_en", "error.required")
	}
	c := &Category{TenantID: t.ID, ID: uuid.New(), SLAFirstResponseDays: 3, SLAResolutionDays: 30, Active: true,
		Sectors: []string{}, PlaybookID: []string{}, PlaybookEN: []string{}, Keywords: []string{}, Examples: []string{}}
	if in.Slug != nil {
		c.Slug = strings.TrimSpace(*in.Slug)
	}
	applyCategoryInput(c, in, t, v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	err := db.InTenantTx(ctx, a.db, t.ID, func(ctx context.Context, tx bun.Tx) error {
		if err := checkParent(ctx, tx, c.ID, c.ParentID); err != nil {
			return err
		}
		var maxOrder sql.NullInt64
		if err := tx.QueryRowContext(ctx, "SELECT max(sort_order) FROM categories").Scan(&maxOrder); err != nil {
			return err
		}
		c.SortOrder = int(maxOrder.Int64) + 10
		if _, err := tx.NewInsert().Model(c).ExcludeColumn("created_at", "updated_at").Returning("created_at, updated_at").Exec(ctx); err != nil {
			if db.IsUniqueViolation(err, "") {
				return &apperr.FieldConflict{Field: "slug", Key: "error.category_slug_taken"}
			}
			return db.MapError(err)
		}
		if in.Handlers != nil {
			if err := setHandlers(ctx, tx, c.ID, *in.Handlers); err != nil {
				return err
			}
		}
		return LogAdminEvent(ctx, tx, t.ID, actorID, EventCategoryCreated, c.Slug, categoryPayload(c, in))
	})
	if err != nil {
		return nil, fmt.Errorf("create category: %w", err)
	}
	return c, nil
}

// updateCategory changes the fields set in in. Every change bumps
// updated_at, which is part of the built-in classifier's cache key: the
// tenant's model retrains on its next classification.
func (a *Admin) updateCategory(ctx context.Context, t *Tenant, actorID, id uuid.UUID, in CategoryInput) (*Category, error) {
	var c Category
	err := db.InTenantTx(ctx, a.db, t.ID, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewSelect().Model(&c).Where("id = ?", id).For("UPDATE").Scan(ctx); err != nil {
			return db.MapError(err)
		}
		v := &apperr.Validation{}
		if in.Slug != nil && strings.TrimSpace(*in.Slug) != c.Slug {
			// The slug is the classifier's label and the labelled data's
			// key: it stays, names change.
			v.Add("slug", "error.category_slug_fixed")
		}
		if in.NameID != nil && strings.TrimSpace(*in.NameID) == "" {
			v.Add("name_id", "error.required")
		}
		if in.NameEN != nil && strings.TrimSpace(*in.NameEN) == "" {
			v.Add("name_en", "error.required")
		}
		applyCategoryInput(&c, in, t, v)
		if err := v.Err(); err != nil {
			return err
		}
		if err := checkParent(ctx, tx, c.ID, c.ParentID); err != nil {
			return err
		}
		_, err := tx.NewUpdate().Model(&c).ExcludeColumn("tenant_id", "id", "slug", "created_at", "active", "sort_order").
			Value("updated_at", "clock_timestamp()").WherePK().Returning("updated_at").Exec(ctx)
		if err != nil {
			return db.MapError(err)
		}
		if in.Handlers != nil {
			if err := setHandlers(ctx, tx, c.ID, *in.Handlers); err != nil {
				return err
			}
		}
		return LogAdminEvent(ctx, tx, t.ID, actorID, EventCategoryUpdated, c.Slug, categoryPayload(&c, in))
	})
	if err != nil {
		return nil, fmt.Errorf("update category: %w", err)
	}
	return &c, nil
}

// setCategoryActive hides (active=false) or shows a category. Hidden
// categories leave the filing form and the classifier at once; their cases
// keep them.
func (a *Admin) setCategoryActive(ctx context.Context, tenantID, actorID, id uuid.UUID, active bool) error {
	err := db.InTenantTx(ctx, a.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		var slug string
		var merged *uuid.UUID
		if err := tx.QueryRowContext(ctx, "SELECT slug, merged_into FROM categories WHERE id = ? FOR UPDATE", id).Scan(&slug, &merged); err != nil {
			return db.MapError(err)
		}
		if active && merged != nil {
			// A merged category's cases live elsewhere now; showing it
			// again would split the category in two.
			return &apperr.FieldConflict{Field: "category", Key: "error.category_merged"}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE categories SET active = ?, updated_at = clock_timestamp() WHERE id = ?", active, id); err != nil {
			return err
		}
		kind := EventCategoryHidden
		if active {
			kind = EventCategoryShown
		}
		return LogAdminEvent(ctx, tx, tenantID, actorID, kind, slug, nil)
	})
	if err != nil {
		return fmt.Errorf("set category visibility: %w", err)
	}
	return nil
}

// reorderCategories puts the listed categories first, in that order; the
// others follow in their current order. Unknown ids are refused.
func (a *Admin) reorderCategories(ctx context.Context, tenantID, actorID uuid.UUID, ids []uuid.UUID) error {
	if len(ids) == 0 || len(ids) > 1000 {
		return apperr.Invalid("ids", "error.invalid")
	}
	err := db.InTenantTx(ctx, a.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		var all []Category
		if err := tx.NewSelect().Model(&all).Column("id", "slug").Order("sort_order", "slug").For("UPDATE").Scan(ctx); err != nil {
			return err
		}
		known := map[uuid.UUID]string{}
		for _, c := range all {
			known[c.ID] = c.Slug
		}
		order := make([]uuid.UUID, 0, len(all))
		listed := map[uuid.UUID]bool{}
		for _, id := range ids {
			if _, ok := known[id]; !ok || listed[id] {
				return apperr.Invalid("ids", "error.invalid")
			}
			listed[id] = true
			order = append(order, id)
		}
		for _, c := range all {
			if !listed[c.ID] {
				order = append(order, c.ID)
			}
		}
		slugs := make([]string, len(order))
		for i, id := range order {
			slugs[i] = known[id]
			if _, err := tx.ExecContext(ctx, "UPDATE categories SET sort_order = ?, updated_at = clock_timestamp() WHERE id = ? AND sort_order <> ?",
				(i+1)*10, id, (i+1)*10); err != nil {
				return err
			}
		}
		return LogAdminEvent(ctx, tx, tenantID, actorID, EventCategoryReorderd, "", map[string]any{"order": slugs})
	})
	if err != nil {
		return fmt.Errorf("reorder categories: %w", err)
	}
	return nil
}

// moveCategory moves a category one place up (delta < 0) or down among
// its siblings, for the pages' arrow buttons.
func (a *Admin) moveCategory(ctx context.Context, tenantID, actorID, id uuid.UUID, delta int) error {
	all, err := a.categories(ctx, tenantID)
	if err != nil {
		return err
	}
	var self *AdminCategory
	for i := range all {
		if all[i].ID == id {
			self = &all[i]
		}
	}
	if self == nil {
		return apperr.ErrNotFound
	}
	var siblings []uuid.UUID
	for _, c := range all {
		if samePtr(c.ParentID, self.ParentID) {
			siblings = append(siblings, c.ID)
		}
	}
	i := slices.Index(siblings, id)
	j := i + delta
	if j < 0 || j >= len(siblings) {
		return nil
	}
	siblings[i], siblings[j] = siblings[j], siblings[i]
	// Keep the tree order for everything else: reorder the whole list with
	// the siblings swapped in place.
	order := make([]uuid.UUID, 0, len(all))
	k := 0
	for _, c := range all {
		if samePtr(c.ParentID, self.ParentID) {
			order = append(order, siblings[k])
			k++
		} else {
			order = append(order, c.ID)
		}
	}
	return a.reorderCategories(ctx, tenantID, actorID, order)
}

func samePtr(a, b *uuid.UUID) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// LockCategoryMerge checks a merge of category from into into inside tx
// and locks both rows: from must not be merged already, into must be
// active and unmerged. cases.Service.MergeCategories runs the whole merge
// (it moves the cases, which only it may write) between this and
// FinishCategoryMerge.
func LockCategoryMerge(ctx context.Context, tx bun.Tx, fromID, intoID uuid.UUID) (from, into *Category, err error) {
	if fromID == intoID {
		return nil, nil, apperr.Invalid("into", "error.category_merge_self")
	}
	from, into = &Category{}, &Category{}
	if err := tx.NewSelect().Model(from).Where("id = ?", fromID).For("UPDATE").Scan(ctx); err != nil {
		return nil, nil, db.MapError(err)
	}
	if err := tx.NewSelect().Model(into).Where("id = ?", intoID).For("UPDATE").Scan(ctx); err != nil {
		if errors.Is(db.MapError(err), apperr.ErrNotFound) {
			return nil, nil, apperr.Invalid("into", "error.invalid")
		}
		return nil, nil, err
	}
	var mergedFrom, mergedInto *uuid.UUID
	if err := tx.QueryRowContext(ctx, "SELECT (SELECT merged_into FROM categories WHERE id = ?), (SELECT merged_into FROM categories WHERE id = ?)",
		fromID, intoID).Scan(&mergedFrom, &mergedInto); err != nil {
		return nil, nil, err
	}
	if mergedFrom != nil {
		return nil, nil, &apperr.FieldConflict{Field: "category", Key: "error.category_merged"}
	}
	if mergedInto != nil || !into.Active {
		return nil, nil, apperr.Invalid("into", "error.category_merge_target")
	}
	return from, into, nil
}

// FinishCategoryMerge ends a merge inside tx once from's n cases are in
// into: it re-parents from's children, points from's confirmed classifier
// labels at into, hides from for good and logs the merge. History stays:
// from remains as a hidden row with merged_into set.
func FinishCategoryMerge(ctx context.Context, tx bun.Tx, tenantID, actorID uuid.UUID, from, into *Category, n int) error {
	fromID, intoID := from.ID, into.ID
	// into may sit below from: lift it to from's place first.
	if _, err := tx.ExecContext(ctx, "UPDATE categories SET parent_id = ?, updated_at = clock_timestamp() WHERE id = ? AND parent_id = ?",
		from.ParentID, intoID, fromID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE categories SET parent_id = ?, updated_at = clock_timestamp() WHERE parent_id = ?", intoID, fromID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE classifier_labels SET category_slug = ? WHERE category_slug = ?", into.Slug, from.Slug); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE categories SET active = false, merged_into = ?, updated_at = clock_timestamp() WHERE id = ?`, intoID, fromID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE categories SET updated_at = clock_timestamp() WHERE id = ?", intoID); err != nil {
		return err
	}
	return LogAdminEvent(ctx, tx, tenantID, actorID, EventCategoryMerged, from.Slug, map[string]any{"into": into.Slug, "cases": n})
}

// LockCategoryDelete locks category id inside tx for its removal and
// refuses it when the category has children, a merge pointing at it or
// confirmed classifier labels: deleting it would rewrite history.
// cases.Service.DeleteCategory checks the cases and suggestions that name
// it (its tables) between this and FinishCategoryDelete.
func LockCategoryDelete(ctx context.Context, tx bun.Tx, id uuid.UUID) (*Category, error) {
	c := &Category{}
	if err := tx.NewSelect().Model(c).Where("id = ?", id).For("UPDATE").Scan(ctx); err != nil {
		return nil, db.MapError(err)
	}
	var used bool
	err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM categories x WHERE x.parent_id = ? OR x.merged_into = ?)
			OR EXISTS (SELECT 1 FROM classifier_labels l WHERE l.category_slug = ?)`, id, id, c.Slug).Scan(&used)
	if err != nil {
		return nil, err
	}
	if used {
		return nil, ErrCategoryInUse
	}
	return c, nil
}

// ErrCategoryInUse refuses to delete a category something refers to: it
// can only be hidden.
var ErrCategoryInUse = &apperr.FieldConflict{Field: "category", Key: "error.category_in_use"}

// FinishCategoryDelete removes the category LockCategoryDelete locked,
// with its named handlers, and logs it.
func FinishCategoryDelete(ctx context.Context, tx bun.Tx, tenantID, actorID uuid.UUID, c *Category) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM category_handlers WHERE category_id = ?", c.ID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM categories WHERE id = ?", c.ID); err != nil {
		return db.MapError(err)
	}
	return LogAdminEvent(ctx, tx, tenantID, actorID, EventCategoryDeleted, c.Slug, nil)
}

// applyCategoryInput copies the set fields of in onto c, recording bad
// values in v.
func applyCategoryInput(c *Category, in CategoryInput, t *Tenant, v *apperr.Validation) {
	text := func(field string, dst *string, src *string, max int) {
		if src == nil {
			return
		}
		s := strings.TrimSpace(*src)
		if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
			v.Add(field, "error.too_long")
			return
		}
		*dst = s
	}
	list := func(field string, dst *[]string, src *[]string, maxItems, maxLen int) {
		if src == nil {
			return
		}
		out := make([]string, 0, len(*src))
		for _, s := range *src {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			if !utf8.ValidString(s) || utf8.RuneCountInString(s) > maxLen {
				v.Add(field, "error.too_long")
				return
			}
			out = append(out, s)
		}
		if len(out) > maxItems {
			v.Add(field, "error.category_too_many")
			return
		}
		*dst = out
	}
	text("name_id", &c.NameID, in.NameID, maxCategoryName)
	text("name_en", &c.NameEN, in.NameEN, maxCategoryName)
	text("description_id", &c.DescriptionID, in.DescriptionID, maxCategoryText)
	text("description_en", &c.DescriptionEN, in.DescriptionEN, maxCategoryText)
	text("notice_id", &c.NoticeID, in.NoticeID, maxCategoryText)
	text("notice_en", &c.NoticeEN, in.NoticeEN, maxCategoryText)
	list("playbook_id", &c.PlaybookID, in.PlaybookID, 30, 500)
	list("playbook_en", &c.PlaybookEN, in.PlaybookEN, 30, 500)
	list("keywords", &c.Keywords, in.Keywords, maxCategoryListLen, 80)
	list("examples", &c.Examples, in.Examples, maxCategoryListLen, maxCategoryListItem)
	if in.Sectors != nil {
		secs := []string{}
		for _, s := range *in.Sectors {
			s = strings.TrimSpace(s)
			if s == "" || slices.Contains(secs, s) {
				continue
			}
			if !slices.Contains(t.Sectors, s) {
				v.Add("sectors", "error.sector_unknown")
				break
			}
			secs = append(secs, s)
		}
		c.Sectors = secs
	}
	if in.SLAFirstResponseDays != nil {
		c.SLAFirstResponseDays = *in.SLAFirstResponseDays
	}
	if in.SLAResolutionDays != nil {
		c.SLAResolutionDays = *in.SLAResolutionDays
	}
	if c.SLAFirstResponseDays < 1 || c.SLAFirstResponseDays > maxSLADays {
		v.Add("sla_first_response_days", "error.category_sla_days")
	}
	if c.SLAResolutionDays < 1 || c.SLAResolutionDays > maxSLADays {
		v.Add("sla_resolution_days", "error.category_sla_days")
	} else if c.SLAResolutionDays < c.SLAFirstResponseDays {
		v.Add("sla_resolution_days", "error.category_sla_order")
	}
	if in.Restricted != nil {
		c.Restricted = *in.Restricted
	}
	if in.ParentID != nil {
		if p := strings.TrimSpace(*in.ParentID); p == "" {
			c.ParentID = nil
		} else if id, err := uuid.Parse(p); err != nil {
			v.Add("parent_id", "error.invalid")
		} else {
			c.ParentID = &id
		}
	}
	if in.Handlers != nil {
		for _, h := range *in.Handlers {
			if _, err := uuid.Parse(strings.TrimSpace(h)); err != nil {
				v.Add("handlers", "error.invalid")
				break
			}
		}
	}
}

// checkParent refuses a parent that does not exist, is merged, or would
// make a cycle (the category itself or one of its descendants).
func checkParent(ctx context.Context, tx bun.Tx, id uuid.UUID, parent *uuid.UUID) error {
	if parent == nil {
		return nil
	}
	var cycle, ok bool
	err := tx.QueryRowContext(ctx, `WITH RECURSIVE up AS (
			SELECT id, parent_id, 1 AS depth FROM categories WHERE id = ?
			UNION ALL
			SELECT k.id, k.parent_id, up.depth + 1 FROM categories k JOIN up ON k.id = up.parent_id WHERE up.depth < 50
		)
		SELECT EXISTS (SELECT 1 FROM up WHERE id = ?),
			EXISTS (SELECT 1 FROM categories WHERE id = ? AND merged_into IS NULL)`, *parent, id, *parent).Scan(&cycle, &ok)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.Invalid("parent_id", "error.invalid")
	}
	if cycle {
		return apperr.Invalid("parent_id", "error.category_parent_cycle")
	}
	return nil
}

// setHandlers replaces a category's named handlers; each must be a staff
// account of the tenant that is not disabled.
func setHandlers(ctx context.Context, tx bun.Tx, categoryID uuid.UUID, ids []string) error {
	users := make([]uuid.UUID, 0, len(ids))
	for _, s := range ids {
		id, err := uuid.Parse(strings.TrimSpace(s))
		if err != nil {
			return apperr.Invalid("handlers", "error.invalid")
		}
		if !slices.Contains(users, id) {
			users = append(users, id)
		}
	}
	if len(users) > 0 {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE id IN (?) AND kind = 'staff' AND disabled_at IS NULL",
			bun.List(users)).Scan(&n); err != nil {
			return err
		}
		if n != len(users) {
			return apperr.Invalid("handlers", "error.category_handler_unknown")
		}
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM category_handlers WHERE category_id = ?", categoryID); err != nil {
		return err
	}
	for _, u := range users {
		if _, err := tx.ExecContext(ctx, "INSERT INTO category_handlers (tenant_id, category_id, user_id) VALUES (current_setting('app.tenant_id')::uuid, ?, ?)",
			categoryID, u); err != nil {
			return db.MapError(err)
		}
	}
	return nil
}

// categoryPayload is what the audit log keeps of a change: the fields the
// admin set (long texts as lengths, so the log stays small).
func categoryPayload(c *Category, in CategoryInput) map[string]any {
	p := map[string]any{"name_id": c.NameID, "name_en": c.NameEN}
	if in.ParentID != nil {
		p["parent_id"] = *in.ParentID
	}
	if in.Restricted != nil {
		p["restricted"] = c.Restricted
	}
	if in.SLAFirstResponseDays != nil || in.SLAResolutionDays != nil {
		p["sla"] = []int{c.SLAFirstResponseDays, c.SLAResolutionDays}
	}
	if in.Sectors != nil {
		p["sectors"] = c.Sectors
	}
	if in.Keywords != nil {
		p["keywords"] = len(c.Keywords)
	}
	if in.Examples != nil {
		p["examples"] = len(c.Examples)
	}
	if in.Handlers != nil {
		p["handlers"] = len(*in.Handlers)
	}
	return p
}
