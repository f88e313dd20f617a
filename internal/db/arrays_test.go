package db

import (
	"database/sql/driver"
	"reflect"
	"testing"
	"time"

	"github.com/lib/pq"
)

// TestNativeArrays: River's lib/pq array parameters reach pgx as the slices
// they wrap (with lib/pq's empty bytea for a nil element); anything else
// passes unchanged, and the caller's slice is not modified.
func TestNativeArrays(t *testing.T) {
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	ids, kinds, keys := []int64{7}, []string{"classify_case"}, [][]byte{nil, []byte("k")}
	args := []driver.NamedValue{
		{Ordinal: 1, Value: pq.Array(ids)},
		{Ordinal: 2, Value: pq.Array(kinds)},
		{Ordinal: 3, Value: pq.Array(keys)},
		{Ordinal: 4, Value: pq.Array([]time.Time{now})},
		{Ordinal: 5, Value: pq.Array([]int16{25})},
		{Ordinal: 6, Value: "plain"},
	}
	got := nativeArrays(args)
	want := []any{[]int64{7}, []string{"classify_case"}, [][]byte{{}, []byte("k")}, []time.Time{now}, []int16{25}, "plain"}
	for i, w := range want {
		if !reflect.DeepEqual(got[i].Value, w) {
			t.Errorf("arg %d: %#v, want %#v", i+1, got[i].Value, w)
		}
	}
	if _, ok := args[0].Value.(*pq.Int64Array); !ok {
		t.Error("the caller's arguments were changed")
	}
	plain := []driver.NamedValue{{Ordinal: 1, Value: 1}}
	if out := nativeArrays(plain); &out[0] != &plain[0] {
		t.Error("arguments without arrays are copied")
	}
}
