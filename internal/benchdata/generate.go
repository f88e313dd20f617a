package benchdata

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/suara-id/suara/internal/cases"
	suaradb "github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/workday"
)

// Target is what one tenant's generated cases hang on: its branches,
// workplaces, categories and accounts, read back after provisioning.
type Target struct {
	TenantID   uuid.UUID
	Slug       string
	RootBranch uuid.UUID
	Workplaces []Workplace
	Categories []Category
	// Reporters report the named cases; Officers handle cases past submitted.
	Reporters []uuid.UUID
	Officers  []uuid.UUID
}

// Workplace is a workplace and the branch its cases belong to.
type Workplace struct {
	ID, Branch uuid.UUID
	Sector     string
}

// Category is a category and its working-day targets.
type Category struct {
	ID                        uuid.UUID
	Slug                      string
	FirstDays, ResolutionDays int
}

// LoadTarget reads a provisioned tenant's ids. db may be the owner or the
// app role: it reads inside the tenant's RLS scope.
func LoadTarget(ctx context.Context, db *sql.DB, tenantID uuid.UUID, slug string) (*Target, error) {
	t := &Target{TenantID: tenantID, Slug: slug}
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("load target: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, "SELECT set_config('app.tenant_id', $1, true)", tenantID.String()); err != nil {
		return nil, fmt.Errorf("load target: set tenant: %w", err)
	}
	if err := tx.QueryRowContext(ctx, "SELECT id FROM branches WHERE path = $1", slug).Scan(&t.RootBranch); err != nil {
		return nil, fmt.Errorf("load target: root branch of %s: %w", slug, err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT w.id, w.sector, COALESCE(
			(SELECT b.id FROM branches b WHERE b.workplace_id = w.id AND b.closed_at IS NULL ORDER BY b.path LIMIT 1), $1)
		FROM workplaces w WHERE w.merged_into IS NULL ORDER BY w.slug`, t.RootBranch)
	if err != nil {
		return nil, fmt.Errorf("load target: workplaces: %w", err)
	}
	for rows.Next() {
		var w Workplace
		if err := rows.Scan(&w.ID, &w.Sector, &w.Branch); err != nil {
			rows.Close()
			return nil, fmt.Errorf("load target: workplaces: %w", err)
		}
		t.Workplaces = append(t.Workplaces, w)
	}
	rows.Close()
	rows, err = tx.QueryContext(ctx, `SELECT id, slug, sla_first_response_days, sla_resolution_days
		FROM categories WHERE active ORDER BY slug`)
	if err != nil {
		return nil, fmt.Errorf("load target: categories: %w", err)
	}
	for rows.Next() {
		var c Category
		if err := rows.Scan(&c.ID, &c.Slug, &c.FirstDays, &c.ResolutionDays); err != nil {
			rows.Close()
			return nil, fmt.Errorf("load target: categories: %w", err)
		}
		t.Categories = append(t.Categories, c)
	}
	rows.Close()
	rows, err = tx.QueryContext(ctx, "SELECT id, kind FROM users WHERE disabled_at IS NULL ORDER BY created_at, id")
	if err != nil {
		return nil, fmt.Errorf("load target: users: %w", err)
	}
	for rows.Next() {
		var id uuid.UUID
		var kind string
		if err := rows.Scan(&id, &kind); err != nil {
			rows.Close()
			return nil, fmt.Errorf("load target: users: %w", err)
		}
		if kind == "worker" {
			t.Reporters = append(t.Reporters, id)
		} else {
			t.Officers = append(t.Officers, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load target: %w", err)
	}
	if len(t.Reporters) == 0 || len(t.Officers) == 0 {
		return nil, fmt.Errorf("load target %s: needs at least one worker and one staff account", slug)
	}
	return t, nil
}

// Options size and seed a generation.
type Options struct {
	Cases int
	// Seed makes the data reproducible; runs with different seeds on the
	// same tenant never collide (ids are random v4 from the seeded source).
	Seed uint64
	// Now is the newest filing time; cases spread over the year before it.
	Now time.Time
	// Batch is how many cases go in one transaction (default 5000).
	Batch int
	// Log, when set, gets each batch's timings at debug level.
	Log *slog.Logger
}

// Stats count what a generation wrote.
type Stats struct {
	Cases, Events, Evidence int
}

// Column lists, in COPY order.
var (
	caseCols = []string{"tenant_id", "id", "reference", "type", "title", "description", "sector", "workplace_id",
		"branch_id", "incident_date", "category_id", "tags", "urgency", "status", "safety_mode", "reporter_user_id",
		"reporter_lookup", "receipt_hash", "assigned_to", "affected_count", "first_response_due", "resolution_due",
		"resolved_at", "closed_at", "created_at", "updated_at"}
	eventCols    = []string{"tenant_id", "case_id", "seq", "kind", "actor_id", "visibility", "payload", "prev_hash", "hash", "created_at"}
	evidenceCols = []string{"tenant_id", "id", "case_id", "kind", "mime", "size",
		"stored_sha256", "storage_key", "display_name", "width", "height", "uploaded_by", "created_at"}
)

// Generate writes o.Cases cases with their timelines and evidence rows for
// t. It connects through db (the owner role: the rows skip the app's
// service layer, not its isolation), COPYs each batch into session-local
// staging tables — COPY FROM refuses tables under row-level security — and
// moves them with INSERT … SELECT inside a transaction scoped to the
// tenant, so the RLS policies still check every row.
func Generate(ctx context.Context, db *sql.DB, t *Target, o Options) (Stats, error) {
	var st Stats
	if o.Cases <= 0 {
		return st, nil
	}
	if o.Batch <= 0 {
		o.Batch = 5000
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return st, fmt.Errorf("generate: connection: %w", err)
	}
	defer conn.Close()
	g := newGen(t, o)
	err = conn.Raw(func(dc any) error {
		sc, ok := dc.(suaradb.PgxConn)
		if !ok {
			return errors.New("generate needs the pgx stdlib driver")
		}
		pc := sc.Conn()
		for _, stage := range []struct{ name, table string }{
			{"bench_stage_cases", "cases"}, {"bench_stage_events", "case_events"}, {"bench_stage_evidence", "evidence_files"},
		} {
			cols := map[string][]string{"cases": caseCols, "case_events": eventCols, "evidence_files": evidenceCols}[stage.table]
			_, err := pc.Exec(ctx, fmt.Sprintf("CREATE TEMP TABLE IF NOT EXISTS %s AS SELECT %s FROM %s WITH NO DATA",
				stage.name, strings.Join(cols, ", "), stage.table))
			if err != nil {
				return fmt.Errorf("staging table %s: %w", stage.name, err)
			}
		}
		if err := g.loadCounters(ctx, pc); err != nil {
			return err
		}
		for done := 0; done < o.Cases; {
			n := min(o.Batch, o.Cases-done)
			t0 := time.Now()
			b := g.batch(n)
			t1 := time.Now()
			if err := writeBatch(ctx, pc, t.TenantID, b, g.counters, o.Log); err != nil {
				return err
			}
			if o.Log != nil {
				o.Log.Debug("bench batch", "tenant", t.Slug, "cases", n, "build", t1.Sub(t0), "write", time.Since(t1))
			}
			done += n
			st.Cases += len(b.cases)
			st.Events += len(b.events)
			st.Evidence += len(b.evidence)
		}
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("generate %s: %w", t.Slug, err)
	}
	return st, nil
}

// writeBatch stages one batch with COPY and moves it into the tenant's
// tables in one transaction, bumping the reference counters past it.
func writeBatch(ctx context.Context, pc *pgx.Conn, tenantID uuid.UUID, b *batch, counters map[int]int64, log *slog.Logger) error {
	tx, err := pc.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin batch: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, "SELECT set_config('app.tenant_id', $1, true)", tenantID.String()); err != nil {
		return fmt.Errorf("set tenant: %w", err)
	}
	for _, s := range []struct {
		stage, table string
		cols         []string
		rows         [][]any
	}{
		{"bench_stage_cases", "cases", caseCols, b.cases},
		{"bench_stage_events", "case_events", eventCols, b.events},
		{"bench_stage_evidence", "evidence_files", evidenceCols, b.evidence},
	} {
		if _, err := tx.Exec(ctx, "TRUNCATE "+s.stage); err != nil {
			return fmt.Errorf("truncate %s: %w", s.stage, err)
		}
		if len(s.rows) == 0 {
			continue
		}
		t0 := time.Now()
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{s.stage}, s.cols, pgx.CopyFromRows(s.rows)); err != nil {
			return fmt.Errorf("copy %s: %w", s.table, err)
		}
		t1 := time.Now()
		cols := strings.Join(s.cols, ", ")
		if _, err := tx.Exec(ctx, fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s", s.table, cols, cols, s.stage)); err != nil {
			return fmt.Errorf("insert %s: %w", s.table, err)
		}
		if log != nil {
			log.Debug("bench table", "table", s.table, "rows", len(s.rows), "copy", t1.Sub(t0), "insert", time.Since(t1))
		}
	}
	for year, last := range counters {
		_, err := tx.Exec(ctx, `INSERT INTO case_counters (tenant_id, year, last) VALUES ($1, $2, $3)
			ON CONFLICT (tenant_id, year) DO UPDATE SET last = GREATEST(case_counters.last, EXCLUDED.last)`,
			tenantID, year, last)
		if err != nil {
			return fmt.Errorf("case counter %d: %w", year, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit batch: %w", err)
	}
	return nil
}

// gen holds the random source and the running reference numbers.
type gen struct {
	t        *Target
	o        Options
	r        *rand.Rand
	cats     []weighted[int] // index into t.Categories
	prefix   string
	counters map[int]int64 // year → last reference number
}

func newGen(t *Target, o Options) *gen {
	g := &gen{t: t, o: o, r: rand.New(rand.NewPCG(o.Seed, o.Seed^0x5eedbe7c4)), counters: map[int]int64{},
		prefix: cases.ReferencePrefix(t.Slug)}
	for _, w := range categoryWeights {
		for i, c := range t.Categories {
			if c.Slug == w.v {
				g.cats = append(g.cats, weighted[int]{i, w.w})
			}
		}
	}
	return g
}

func (g *gen) loadCounters(ctx context.Context, pc *pgx.Conn) error {
	tx, err := pc.Begin(ctx)
	if err != nil {
		return fmt.Errorf("load counters: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, "SELECT set_config('app.tenant_id', $1, true)", g.t.TenantID.String()); err != nil {
		return fmt.Errorf("load counters: %w", err)
	}
	rows, err := tx.Query(ctx, "SELECT year, last FROM case_counters")
	if err != nil {
		return fmt.Errorf("load counters: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var y int
		var last int64
		if err := rows.Scan(&y, &last); err != nil {
			return fmt.Errorf("load counters: %w", err)
		}
		g.counters[y] = last
	}
	return rows.Err()
}

var jakarta = workday.Jakarta()

// Distributions of a case's attributes.
var (
	statusWeights = []weighted[cases.Status]{
		// 30% resolved: resolved and closed carry resolved_at.
		{cases.StatusResolved, 12}, {cases.StatusClosed, 18},
		{cases.StatusSubmitted, 22}, {cases.StatusVerified, 10}, {cases.StatusInProgress, 20},
		{cases.StatusNeedsInfo, 5}, {cases.StatusRejected, 8}, {cases.StatusReferred, 3}, {cases.StatusWithdrawn, 2},
	}
	typeWeights    = []weighted[cases.Type]{{cases.TypeComplaint, 80}, {cases.TypeAspiration, 12}, {cases.TypeInformation, 8}}
	modeWeights    = []weighted[cases.SafetyMode]{{cases.ModeNamed, 55}, {cases.ModeConfidential, 15}, {cases.ModeAnonymous, 30}}
	urgencyWeights = []weighted[string]{{"critical", 3}, {"high", 15}, {"normal", 70}, {"low", 12}}
	// paths are the transitions that lead from submitted to each status.
	paths = map[cases.Status][]cases.Transition{
		cases.StatusSubmitted:  nil,
		cases.StatusVerified:   {cases.TransitionVerify},
		cases.StatusInProgress: {cases.TransitionVerify, cases.TransitionStart},
		cases.StatusNeedsInfo:  {cases.TransitionVerify, cases.TransitionRequestInfo},
		cases.StatusResolved:   {cases.TransitionVerify, cases.TransitionStart, cases.TransitionResolve},
		cases.StatusClosed:     {cases.TransitionVerify, cases.TransitionStart, cases.TransitionResolve, cases.TransitionClose},
		cases.StatusRejected:   {cases.TransitionReject},
		cases.StatusReferred:   {cases.TransitionVerify, cases.TransitionRefer},
		cases.StatusWithdrawn:  {cases.TransitionWithdraw},
	}
	steps = map[cases.Transition][2]cases.Status{
		cases.TransitionVerify:      {cases.StatusSubmitted, cases.StatusVerified},
		cases.TransitionStart:       {cases.StatusVerified, cases.StatusInProgress},
		cases.TransitionRequestInfo: {cases.StatusVerified, cases.StatusNeedsInfo},
		cases.TransitionResolve:     {cases.StatusInProgress, cases.StatusResolved},
		cases.TransitionClose:       {cases.StatusResolved, cases.StatusClosed},
		cases.TransitionReject:      {cases.StatusSubmitted, cases.StatusRejected},
		cases.TransitionRefer:       {cases.StatusVerified, cases.StatusReferred},
		cases.TransitionWithdraw:    {cases.StatusSubmitted, cases.StatusWithdrawn},
	}
)

type batch struct {
	cases, events, evidence [][]any
}

// uuid4 draws a version-4 id from the seeded source.
func (g *gen) uuid4() uuid.UUID {
	var u uuid.UUID
	for i := 0; i < 16; i += 8 {
		v := g.r.Uint64()
		for j := range 8 {
			u[i+j] = byte(v >> (8 * j))
		}
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}

func (g *gen) bytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.r.UintN(256))
	}
	return b
}

// workdays approximates n working days as calendar time (five in seven);
// the exact holiday calendar matters to the clocks, not to load.
func workdays(n int) time.Duration { return time.Duration(n) * 7 * 24 * time.Hour / 5 }

func (g *gen) batch(n int) *batch {
	b := &batch{cases: make([][]any, 0, n), events: make([][]any, 0, n*9)}
	for range n {
		g.oneCase(b)
	}
	return b
}

// oneCase appends a case, its timeline and its evidence to b.
func (g *gen) oneCase(b *batch) {
	r, t := g.r, g.t
	id := g.uuid4()
	created := g.o.Now.Add(-time.Duration(r.Int64N(int64(365 * 24 * time.Hour)))).UTC().Truncate(time.Microsecond)
	year := created.In(jakarta).Year()
	g.counters[year]++
	ref := fmt.Sprintf("%s-%d-%06d", g.prefix, year, g.counters[year])

	typ, mode, status := choose(r, typeWeights), choose(r, modeWeights), choose(r, statusWeights)
	var cat *Category
	if len(g.cats) > 0 && r.IntN(10) > 0 { // one in ten still unclassified
		cat = &t.Categories[choose(r, g.cats)]
	}
	slug := "lainnya"
	first, resolution := 3, 30
	if cat != nil {
		slug, first, resolution = cat.Slug, cat.FirstDays, cat.ResolutionDays
	}
	title, desc := text(r, slug)
	sector, branch := "garment", t.RootBranch
	var workplace *uuid.UUID
	if len(t.Workplaces) > 0 && r.IntN(100) < 85 {
		w := t.Workplaces[r.IntN(len(t.Workplaces))]
		workplace, sector, branch = &w.ID, w.Sector, w.Branch
	}
	var incident *time.Time
	if r.IntN(2) == 0 {
		d := created.AddDate(0, 0, -r.IntN(60)).Truncate(24 * time.Hour)
		incident = &d
	}
	tags := []string{}
	for k := r.IntN(3); k > 0; k-- {
		tags = append(tags, pick(r, tagWords))
	}
	var reporter *uuid.UUID
	var lookup, receipt []byte
	switch mode {
	case cases.ModeNamed:
		u := t.Reporters[r.IntN(len(t.Reporters))]
		reporter = &u
	case cases.ModeConfidential:
		lookup = g.bytes(32) // nobody's: the generator holds no identity keys
	case cases.ModeAnonymous:
		receipt = g.bytes(32)
	}
	affected := 1
	if r.IntN(5) == 0 {
		affected = 2 + r.IntN(500)
	}
	frDue, resDue := created.Add(workdays(first)), created.Add(workdays(resolution))

	// The timeline: filing, the status path, then filler (messages, notes,
	// evidence) up to 3–15 events, in time order.
	path := paths[status]
	total := max(3, len(path)+1) + r.IntN(13-len(path))
	if total > 15 {
		total = 15
	}
	fillers := total - 1 - len(path)
	var assigned *uuid.UUID
	if status != cases.StatusSubmitted && status != cases.StatusWithdrawn && r.IntN(5) > 0 {
		o := t.Officers[r.IntN(len(t.Officers))]
		assigned = &o
	}
	officer := t.Officers[r.IntN(len(t.Officers))].String()
	reporterActor := ""
	if reporter != nil {
		reporterActor = reporter.String()
	}
	at := created
	var prev []byte
	seq := int64(0)
	add := func(kind, actor, vis string, payload []byte) {
		seq++
		e := cases.ChainedEvent{TenantID: t.TenantID, CaseID: id, Seq: seq, Kind: kind, ActorID: actor,
			Visibility: vis, CreatedAt: at, Payload: payload}
		h := cases.EventHash(prev, e)
		p := prev
		if p == nil {
			p = []byte{}
		}
		b.events = append(b.events, []any{t.TenantID, id, seq, kind, actor, vis, string(payload), p, h, at})
		prev = h
		at = at.Add(time.Duration(1+r.IntN(72)) * time.Hour)
	}
	add(cases.EventFiled, reporterActor, cases.VisibilityReporter,
		mustJSON(map[string]any{"by": "reporter", "safety_mode": mode, "type": typ}))
	// Filler goes between filing and the last status change, as it would.
	perSlot := make([]int, len(path)+1)
	for i := 0; i < fillers; i++ {
		perSlot[r.IntN(len(path)+1)]++
	}
	var resolvedAt, closedAt *time.Time
	for i := 0; i <= len(path); i++ {
		for k := 0; k < perSlot[i]; k++ {
			switch x := r.IntN(10); {
			case x < 5:
				by, actor := "staff", officer
				if r.IntN(2) == 0 {
					by, actor = "reporter", reporterActor
				}
				add(cases.EventMessage, actor, cases.VisibilityReporter, mustJSON(map[string]any{"by": by, "body": pick(r, messages)}))
			case x < 8:
				add("note", officer, cases.VisibilityInternal, mustJSON(map[string]any{"body": pick(r, notes), "by": "staff"}))
			default:
				ev := g.evidence(id, at)
				b.evidence = append(b.evidence, ev.row)
				add(cases.EventEvidenceAdded, "", cases.VisibilityReporter, mustJSON(map[string]any{"by": "reporter",
					"evidence_id": ev.id, "kind": ev.kind, "name": ev.name, "sha256": ev.sha}))
			}
		}
		if i == len(path) {
			break
		}
		tr := path[i]
		st := steps[tr]
		by, actor := "staff", officer
		if tr == cases.TransitionWithdraw {
			by, actor = "reporter", reporterActor
		}
		payload := map[string]any{"by": by, "transition": string(tr), "from": string(st[0]), "to": string(st[1])}
		if tr == cases.TransitionReject || tr == cases.TransitionRefer {
			payload["reason"] = "Di luar kewenangan serikat; dirujuk ke Disnaker setempat."
		}
		stamp := at
		add("status_changed", actor, cases.VisibilityReporter, mustJSON(payload))
		switch st[1] {
		case cases.StatusResolved:
			resolvedAt = &stamp
		case cases.StatusClosed:
			closedAt = &stamp
		}
	}
	updated := at
	var catID *uuid.UUID
	if cat != nil {
		catID = &cat.ID
	}
	b.cases = append(b.cases, []any{t.TenantID, id, ref, string(typ), title, desc, sector, workplace,
		branch, incident, catID, tags, choose(r, urgencyWeights), string(status), string(mode), reporter,
		lookup, receipt, assigned, affected, frDue, resDue, resolvedAt, closedAt, created, updated})
}

type evidenceRow struct {
	id              uuid.UUID
	kind, name, sha string
	row             []any
}

func (g *gen) evidence(caseID uuid.UUID, at time.Time) evidenceRow {
	r := g.r
	kinds := []struct{ kind, mime, ext string }{
		{"photo", "image/jpeg", "jpg"}, {"photo", "image/jpeg", "jpg"}, {"document", "application/pdf", "pdf"}, {"audio", "audio/ogg", "ogg"},
	}
	k := pick(r, kinds)
	sum := sha256.Sum256(g.bytes(16))
	sha := hex.EncodeToString(sum[:])
	size := int64(20_000 + r.IntN(3_000_000))
	id := g.uuid4()
	name := fmt.Sprintf("bukti-%d.%s", 1+r.IntN(9), k.ext)
	w, h := 0, 0
	if k.kind == "photo" {
		w, h = 1280, 960
	}
	return evidenceRow{id: id, kind: k.kind, name: name, sha: sha, row: []any{
		g.t.TenantID, id, caseID, k.kind, k.mime, size, sha,
		g.t.TenantID.String() + "/" + sha, name, w, h, "reporter", at}}
}

func mustJSON(v any) []byte {
	b, err := cases.CanonicalJSON(v)
	if err != nil {
		panic(fmt.Sprintf("bench payload: %v", err)) // static shapes: cannot fail
	}
	return b
}
