package workday

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// holidayFile is the format of config/holidays/<year>.yaml.
type holidayFile struct {
	Year     int `yaml:"year"`
	Holidays []struct {
		Date string `yaml:"date"`
		Name struct {
			ID string `yaml:"id"`
			EN string `yaml:"en"`
		} `yaml:"name"`
		Kind string `yaml:"kind"`
	} `yaml:"holidays"`
}

// LoadFS loads every *.yaml file in dir of fsys (for instance the embedded
// config at "config/holidays").
func LoadFS(fsys fs.FS, dir string) (*Calendar, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.yaml"))
	if err != nil {
		return nil, fmt.Errorf("list holiday files in %s: %w", dir, err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("load holidays: no *.yaml files in %s", dir)
	}
	files := make(map[string][]byte, len(names))
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read holiday file: %w", err)
		}
		files[name] = b
	}
	return Load(files)
}

// Load builds a calendar from holiday files keyed by file name. A file named
// after a year (2026.yaml) must hold that year; no year may appear twice.
// Every error names the file it comes from.
func Load(files map[string][]byte) (*Calendar, error) {
	c := &Calendar{
		loc:      jakarta(),
		holidays: map[civil][]Holiday{},
		years:    map[int]bool{},
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names) // deterministic: the same bad input gives the same error
	yearFile := map[int]string{}
	for _, name := range names {
		year, err := c.addFile(files[name])
		if err != nil {
			return nil, fmt.Errorf("holiday file %s: %w", name, err)
		}
		if stem := strings.TrimSuffix(path.Base(name), path.Ext(name)); stem != "" {
			if n, err := strconv.Atoi(stem); err == nil && n != year {
				return nil, fmt.Errorf("holiday file %s: holds year %d, not %d", name, year, n)
			}
		}
		if prev, dup := yearFile[year]; dup {
			return nil, fmt.Errorf("holiday file %s: year %d already loaded from %s", name, year, prev)
		}
		yearFile[year] = name
		c.years[year] = true
	}
	return c, nil
}

// addFile parses one file into c and returns its year.
func (c *Calendar) addFile(b []byte) (int, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true) // a misspelt key must fail loudly, not drop a holiday
	var f holidayFile
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return 0, errors.New("empty file")
		}
		return 0, fmt.Errorf("parse: %w", err)
	}
	if f.Year < 1900 || f.Year > 9999 {
		return 0, fmt.Errorf("year %d missing or out of range", f.Year)
	}
	type key struct {
		d    civil
		name string
	}
	seen := map[key]bool{}
	for i, h := range f.Holidays {
		where := fmt.Sprintf("holiday %d (%q)", i+1, h.Date)
		t, err := time.ParseInLocation(time.DateOnly, h.Date, c.loc)
		if err != nil {
			return 0, fmt.Errorf("%s: date must be YYYY-MM-DD: %w", where, err)
		}
		if t.Year() != f.Year {
			return 0, fmt.Errorf("%s: date is not in year %d", where, f.Year)
		}
		kind := Kind(h.Kind)
		if kind != KindNational && kind != KindCutiBersama {
			return 0, fmt.Errorf("%s: kind %q must be %q or %q", where, h.Kind, KindNational, KindCutiBersama)
		}
		if strings.TrimSpace(h.Name.ID) == "" || strings.TrimSpace(h.Name.EN) == "" {
			return 0, fmt.Errorf("%s: name needs both id and en", where)
		}
		d := c.dateOf(t)
		if seen[key{d, h.Name.ID}] {
			return 0, fmt.Errorf("%s: listed twice", where)
		}
		seen[key{d, h.Name.ID}] = true
		c.holidays[d] = append(c.holidays[d], Holiday{
			Date: t,
			Name: Name{ID: h.Name.ID, EN: h.Name.EN},
			Kind: kind,
		})
	}
	return f.Year, nil
}
