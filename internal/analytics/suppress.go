package analytics

import (
	"sort"
	"strings"
)

// cell is one group as the database returned it, with the exact count
// that never leaves this package.
type cell struct {
	keys       []string
	n          int64
	suppressed bool
}

// suppress applies disclosure control to a table of cells grouped by ndims
// dimensions, in place.
//
// Primary: every cell counting fewer than k cases is suppressed.
//
// Complementary: a "line" is the cells that share every dimension value but
// one (a row or a column of a two-way table; the whole table when there is
// one dimension). Its total is published by the query with that dimension
// dropped, so a line with exactly one suppressed cell gives it away (total
// minus the others). Such a line gets a second suppression, its smallest
// remaining cell; a new suppression can expose another line, so this runs
// until no line has a lone suppressed cell. A line of a single cell equals
// its total, which the coarser query suppresses by the same primary rule.
func suppress(cells []*cell, ndims, k int) {
	for _, c := range cells {
		if c.n < int64(k) {
			c.suppressed = true
		}
	}
	if ndims == 0 {
		return
	}
	for changed := true; changed; {
		changed = false
		for d := 0; d < ndims; d++ {
			for _, line := range linesAlong(cells, d) {
				if len(line) < 2 {
					continue
				}
				lone := 0
				var smallest *cell
				for _, c := range line {
					if c.suppressed {
						lone++
						continue
					}
					if smallest == nil || c.n < smallest.n {
						smallest = c
					}
				}
				if lone == 1 && smallest != nil {
					smallest.suppressed = true
					changed = true
				}
			}
		}
	}
}

// linesAlong groups cells by every key but the d-th, in a stable order
// (cells within a line keep their order, lines sort by key).
func linesAlong(cells []*cell, d int) [][]*cell {
	idx := map[string]int{}
	var names []string
	var lines [][]*cell
	for _, c := range cells {
		parts := make([]string, 0, len(c.keys))
		for i, k := range c.keys {
			if i != d {
				parts = append(parts, k)
			}
		}
		key := strings.Join(parts, "\x00")
		i, ok := idx[key]
		if !ok {
			i = len(lines)
			idx[key] = i
			names = append(names, key)
			lines = append(lines, nil)
		}
		lines[i] = append(lines[i], c)
	}
	order := make([]int, len(lines))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return names[order[a]] < names[order[b]] })
	out := make([][]*cell, len(lines))
	for i, o := range order {
		out[i] = lines[o]
	}
	return out
}
