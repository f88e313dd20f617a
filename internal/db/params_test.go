package db_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/db/pgtest"
)

func TestParameterizeText(t *testing.T) {
	for _, c := range []struct {
		in, out string
		args    []any
		ok      bool
	}{
		{`INSERT INTO "t" ("a", "b1") VALUES ('x', 12)`, `INSERT INTO "t" ("a", "b1") VALUES ($1, $2)`, []any{"x", "12"}, true},
		{`SELECT 'it''s', '', 'a''''b', 1.5, t1.c2 FROM t1`, `SELECT $1, $2, $3, $4, t1.c2 FROM t1`, []any{"it's", "", "a''b", "1.5"}, true},
		{`VALUES (NULL, DEFAULT, TRUE, '\x00ff', '{"k":"?"}')`, `VALUES (NULL, DEFAULT, TRUE, $1, $2)`, []any{`\x00ff`, `{"k":"?"}`}, true},
		{`SELECT '-- not a comment', '/* nor this */', '$1'`, `SELECT $1, $2, $3`, []any{"-- not a comment", "/* nor this */", "$1"}, true},
		{`SELECT "we""ird" FROM "x-1"`, `SELECT "we""ird" FROM "x-1"`, nil, true},
		{`SELECT 6 - length(x)`, `SELECT $1 - length(x)`, []any{"6"}, true},
		// Not bun's output: left alone.
		{`SELECT $1`, "", nil, false},
		{`SELECT E'\n'`, "", nil, false},
		{`SELECT 1 -- comment`, "", nil, false},
		{`SELECT /* c */ 1`, "", nil, false},
		{`SELECT -1`, "", nil, false},
		{`SELECT 1e5`, "", nil, false},
		{`SELECT 'open`, "", nil, false},
	} {
		out, args, ok := db.Parameterize(c.in)
		if ok != c.ok || ok && (out != c.out || !reflect.DeepEqual(args, c.args)) {
			t.Errorf("Parameterize(%q) = %q %q %t, want %q %q %t", c.in, out, args, ok, c.out, c.args, c.ok)
		}
	}
}

// paramRow has a column of each kind bun writes for the case and event
// models.
type paramRow struct {
	bun.BaseModel `bun:"table:param_rows"`

	ID      uuid.UUID  `bun:"id,type:uuid"`
	Text    string     `bun:"text"`
	Opt     *uuid.UUID `bun:"opt,type:uuid"`
	Count   int        `bun:"count"`
	Flag    bool       `bun:"flag"`
	Tags    []string   `bun:"tags,array"`
	Blob    []byte     `bun:"blob"`
	Payload string     `bun:"payload,type:jsonb"`
	At      time.Time  `bun:"at"`
	Day     *time.Time `bun:"day,type:date"`
}

// A statement bun formatted stores the same row parameterized as it does
// as text, whatever the strings hold, nil pointers (DEFAULT) included.
func TestParameterizeStoresTheSameRow(t *testing.T) {
	tdb := pgtest.New(t)
	ctx := context.Background()
	conn, err := tdb.App.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, table := range []string{"as_text", "as_params"} {
		if _, err := conn.ExecContext(ctx, `CREATE TEMP TABLE `+table+` (id uuid, text text,
			opt uuid DEFAULT '00000000-0000-0000-0000-000000000001', count int, flag bool, tags text[], blob bytea,
			payload jsonb, at timestamptz, day date)`); err != nil {
			t.Fatal(err)
		}
	}
	day := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	opt := uuid.New()
	strs := []string{"", "it's", "''", `back\slash \x00`, "$1 $$ ? ?0 :name", "-- c\n/* c */", "émoji 😀 \t\r\n", `{"a":"b"}`, "E'x'"}
	for i, s := range strs {
		row := &paramRow{ID: uuid.New(), Text: s, Count: i * 7, Flag: i%2 == 0, Tags: []string{s, "x,y", `q"uote`},
			Blob: []byte(s + "\x00\xff"), Payload: fmt.Sprintf(`{"s":%q}`, s), At: time.Date(2026, 12, 7, 5, 0, 0, 123456000, time.UTC)}
		if i%2 == 1 {
			row.Opt, row.Day = &opt, &day
		}
		for _, table := range []string{"as_text", "as_params"} {
			text, err := tdb.App.NewInsert().Model(row).ModelTableExpr(table).AppendQuery(tdb.App.QueryGen(), nil)
			if err != nil {
				t.Fatal(err)
			}
			query, args := string(text), []any(nil)
			if table == "as_params" {
				var ok bool
				if query, args, ok = db.Parameterize(query); !ok || len(args) < 7 {
					t.Fatalf("row %d: not parameterized: %s", i, text)
				}
			}
			if _, err := conn.Conn.ExecContext(ctx, query, args...); err != nil {
				t.Fatalf("row %d, %s: %v\n%s", i, table, err, query)
			}
		}
	}
	var differ, stored int
	if err := conn.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM ((SELECT * FROM as_text EXCEPT ALL SELECT * FROM as_params)
		                 UNION ALL (SELECT * FROM as_params EXCEPT ALL SELECT * FROM as_text)) d),
		(SELECT count(*) FROM as_params)`).Scan(&differ, &stored); err != nil {
		t.Fatal(err)
	}
	if differ != 0 || stored != len(strs) {
		t.Fatalf("%d rows differ, %d of %d stored", differ, stored, len(strs))
	}
}
