package web

import (
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/tenant"
)

// queueParams reads the queue's filters from the query string, copying
// every value: Fiber reuses the request's memory after the handler.
func queueParams(c *fiber.Ctx) cases.QueueParams {
	q := func(k string) string { return strings.Clone(c.Query(k)) }
	return cases.QueueParams{
		Q: q("q"), Status: q("status"), Category: q("category"), Branch: q("branch"), Workplace: q("workplace"),
		Urgency: q("urgency"), Overdue: q("overdue"), Assigned: q("assigned"), Unassigned: q("unassigned"),
		Escalated: q("escalated"), LowRating: q("low_rating"), SafetyMode: q("safety_mode"), From: q("from"), To: q("to"),
		Sort: q("sort"), Cursor: q("cursor"), Limit: q("limit"), VerifiedMember: q("verified_member"),
		NeedsTranscription: q("needs_transcription"), IntakeChannel: q("intake_channel"),
	}
}

// apiQueue answers GET /api/v1/cases for staff: a page of their queue.
func (s *Server) apiQueue(c *fiber.Ctx, t *tenant.Tenant, p *auth.Principal) error {
	f, err := queueParams(c).Filter()
	if err != nil {
		return err
	}
	items, next, err := s.cases.Queue(c.UserContext(), t.ID, p, f)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	out := fiber.Map{"cases": items}
	if next != "" {
		out["next_cursor"] = next
	}
	return c.JSON(out)
}

// queueData is what queue.html shows.
type queueData struct {
	Params     cases.QueueParams
	Errors     map[string]string
	Items      []queueRow
	Next       string // URL of the next page, "" at the end
	Statuses   []option
	Categories []option
	Branches   []option
	Workplaces []option
	Urgencies  []option
	Modes      []option
	Sorts      []option
	Presets    []option // ready-made views: Value is the URL
}

// queueRow is an item with its labels in the reader's language.
type queueRow struct {
	cases.QueueItem
	StatusLabel, CategoryLabel, UrgencyLabel string
	DueLabel                                 string
}

func (s *Server) queuePage(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	if principal(c) == nil {
		return c.Redirect("/login", fiber.StatusSeeOther)
	}
	p, err := requireTenantStaff(c)
	if err != nil {
		return err
	}
	pg := s.page(c, "queue.title")
	qp := queueParams(c)
	d := queueData{Params: qp, Errors: map[string]string{}}
	status := fiber.StatusOK
	f, err := qp.Filter()
	if err == nil {
		var next string
		var items []cases.QueueItem
		items, next, err = s.cases.Queue(c.UserContext(), t.ID, p, f)
		if err == nil {
			if err := s.fillQueueRows(c, pg, t, &d, items); err != nil {
				return err
			}
			if next != "" {
				d.Next = queueURL(qp, next)
			}
		}
	}
	if err != nil {
		form, st, ferr := s.formFailure(c, err, qp)
		if ferr != nil {
			return ferr
		}
		d.Errors, status = form.Errors, st
	}
	if err := s.queueOptions(c, pg, t, &d); err != nil {
		return err
	}
	pg.Data = d
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.render(c, status, "queue", pg)
}

// queueURL is the queue page for qp at cursor.
func queueURL(qp cases.QueueParams, cursor string) string {
	v := url.Values{}
	for k, val := range map[string]string{"q": qp.Q, "status": qp.Status, "category": qp.Category, "branch": qp.Branch,
		"workplace": qp.Workplace, "urgency": qp.Urgency, "overdue": qp.Overdue, "assigned": qp.Assigned,
		"unassigned": qp.Unassigned, "escalated": qp.Escalated, "low_rating": qp.LowRating, "safety_mode": qp.SafetyMode,
		"from": qp.From, "to": qp.To, "sort": qp.Sort, "limit": qp.Limit, "cursor": cursor, "verified_member": qp.VerifiedMember,
		"needs_transcription": qp.NeedsTranscription, "intake_channel": qp.IntakeChannel} {
		if val != "" {
			v.Set(k, val)
		}
	}
	return "/staff/queue?" + v.Encode()
}

func (s *Server) fillQueueRows(c *fiber.Ctx, pg *Page, t *tenant.Tenant, d *queueData, items []cases.QueueItem) error {
	cats, err := s.admin.CategoryDirectory(c.UserContext(), t.ID)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for i := range cats {
		names[cats[i].Slug] = cats[i].Name(pg.Locale)
	}
	loc := time.FixedZone("WIB", 7*3600)
	for _, it := range items {
		r := queueRow{QueueItem: it, StatusLabel: pg.T("queue.status." + string(it.Status)),
			UrgencyLabel: pg.T("queue.urgency." + it.Urgency), CategoryLabel: names[it.Category]}
		if r.CategoryLabel == "" {
			r.CategoryLabel = pg.T("queue.uncategorised")
		}
		if it.Due != nil {
			r.DueLabel = it.Due.In(loc).Format("2006-01-02")
		}
		d.Items = append(d.Items, r)
	}
	return nil
}

// queueOptions fills the filter form's choices.
func (s *Server) queueOptions(c *fiber.Ctx, pg *Page, t *tenant.Tenant, d *queueData) error {
	ctx := c.UserContext()
	d.Statuses = append(d.Statuses, option{cases.StatusOpen, pg.T("queue.status.open")})
	for _, st := range cases.AllStatuses() {
		d.Statuses = append(d.Statuses, option{string(st), pg.T("queue.status." + string(st))})
	}
	cats, err := s.admin.CategoryDirectory(ctx, t.ID)
	if err != nil {
		return err
	}
	for i := range cats {
		d.Categories = append(d.Categories, option{cats[i].Slug, cats[i].Name(pg.Locale)})
	}
	branches, err := s.cases.QueueBranches(ctx, t.ID, principal(c))
	if err != nil {
		return err
	}
	for _, b := range branches {
		d.Branches = append(d.Branches, option{b.ID.String(), b.Label})
	}
	wps, err := s.admin.WorkplaceDirectory(ctx, t.ID)
	if err != nil {
		return err
	}
	for _, w := range wps {
		d.Workplaces = append(d.Workplaces, option{w.ID.String(), w.Label()})
	}
	for _, u := range cases.Urgencies() {
		d.Urgencies = append(d.Urgencies, option{u, pg.T("queue.urgency." + u)})
	}
	for _, m := range []cases.SafetyMode{cases.ModeNamed, cases.ModeConfidential, cases.ModeAnonymous} {
		d.Modes = append(d.Modes, option{string(m), pg.T("case.mode." + string(m))})
	}
	for _, so := range cases.QueueSorts() {
		d.Sorts = append(d.Sorts, option{string(so), pg.T("queue.sort." + string(so))})
	}
	d.Presets = []option{
		{"/staff/queue?status=open", pg.T("queue.preset.open")},
		{"/staff/queue?status=open&assigned=me", pg.T("queue.preset.mine")},
		{"/staff/queue?status=open&assigned=none", pg.T("queue.preset.unassigned")},
		{"/staff/queue?status=open&overdue=1&sort=due", pg.T("queue.preset.overdue")},
		{"/staff/queue?status=open&escalated=1", pg.T("queue.preset.escalated")},
	}
	return nil
}
