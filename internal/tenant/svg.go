package tenant

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// SVG logos are rebuilt from an allow-list rather than cleaned of what is
// known to be bad. bluemonday, the maintained Go sanitizer, is built for
// HTML: its tokenizer lower-cases attribute names (viewBox becomes
// viewbox, which an SVG image ignores), so it cannot keep a logo intact.
// encoding/xml does not expand external or custom entities, so no
// entity tricks get through either.

// svgElements are the shapes, text and paint servers a logo needs. Not
// here, and dropped with everything inside them: script, style,
// foreignObject, image, a, use, animate and set, iframe, and anything else.
var svgElements = map[string]bool{
	"svg": true, "g": true, "path": true, "rect": true, "circle": true, "ellipse": true, "line": true,
	"polyline": true, "polygon": true, "text": true, "tspan": true, "defs": true, "lineargradient": true,
	"radialgradient": true, "stop": true, "title": true, "desc": true, "clippath": true, "mask": true,
}

// svgAttrs are geometry and presentation attributes. No event handlers
// (on*), no href of any kind, no style (CSS can fetch URLs).
var svgAttrs = map[string]bool{
	"viewBox": true, "width": true, "height": true, "x": true, "y": true, "x1": true, "y1": true, "x2": true,
	"y2": true, "cx": true, "cy": true, "r": true, "rx": true, "ry": true, "d": true, "points": true,
	"fill": true, "fill-opacity": true, "fill-rule": true, "clip-rule": true, "stroke": true,
	"stroke-width": true, "stroke-opacity": true, "stroke-linecap": true, "stroke-linejoin": true,
	"stroke-miterlimit": true, "stroke-dasharray": true, "stroke-dashoffset": true, "opacity": true,
	"transform": true, "id": true, "class": true, "font-family": true, "font-size": true, "font-weight": true,
	"font-style": true, "text-anchor": true, "dominant-baseline": true, "letter-spacing": true,
	"offset": true, "stop-color": true, "stop-opacity": true, "gradientUnits": true, "gradientTransform": true,
	"fx": true, "fy": true, "clip-path": true, "mask": true, "preserveAspectRatio": true, "role": true,
	"aria-label": true, "aria-hidden": true, "dx": true, "dy": true, "spreadMethod": true,
	"clipPathUnits": true, "maskUnits": true, "maskContentUnits": true, "version": true,
}

const (
	maxSVGDepth    = 32
	maxSVGElements = 5000
)

// SanitizeSVG parses data as SVG and writes it back with only allowed
// elements and attributes. An attribute value may point only inside the
// document (url(#id)); anything else containing "url(", "javascript:" or
// "data:" is dropped. The root must be <svg>.
func SanitizeSVG(data []byte) ([]byte, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	var out bytes.Buffer
	depth, skip, count := 0, 0, 0
	rootSeen := false
	var stack []string
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("svg: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			count++
			if depth > maxSVGDepth || count > maxSVGElements {
				return nil, errors.New("svg: too deep or too large")
			}
			if skip > 0 {
				skip++
				continue
			}
			name := t.Name.Local
			if depth == 1 {
				if name != "svg" || rootSeen {
					return nil, errors.New("svg: the root is not <svg>")
				}
				rootSeen = true
			}
			if !svgElements[strings.ToLower(name)] || (t.Name.Space != "" && t.Name.Space != "http://www.w3.org/2000/svg") {
				skip = 1
				continue
			}
			stack = append(stack, name)
			out.WriteString("<" + name)
			if depth == 1 {
				out.WriteString(` xmlns="http://www.w3.org/2000/svg"`)
			}
			for _, a := range t.Attr {
				if a.Name.Space != "" || !svgAttrs[a.Name.Local] || !safeSVGValue(a.Value) {
					continue
				}
				out.WriteString(" " + a.Name.Local + `="`)
				_ = xml.EscapeText(&out, []byte(a.Value))
				out.WriteString(`"`)
			}
			out.WriteString(">")
		case xml.EndElement:
			depth--
			if skip > 0 {
				skip--
				continue
			}
			if len(stack) == 0 {
				return nil, errors.New("svg: unbalanced")
			}
			out.WriteString("</" + stack[len(stack)-1] + ">")
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if skip == 0 && depth > 0 {
				_ = xml.EscapeText(&out, t)
			}
		case xml.Directive:
			// <!DOCTYPE ...> with its internal subset: never copied.
			if depth > 0 {
				return nil, errors.New("svg: directive inside the document")
			}
		}
		// Comments and processing instructions are dropped.
	}
	if !rootSeen {
		return nil, errors.New("svg: no <svg> element")
	}
	return out.Bytes(), nil
}

// safeSVGValue refuses values that could reach outside the document or
// run code.
func safeSVGValue(v string) bool {
	l := strings.ToLower(strings.Join(strings.Fields(v), ""))
	if strings.Contains(l, "javascript:") || strings.Contains(l, "data:") || strings.Contains(l, "expression(") {
		return false
	}
	for rest := l; ; {
		i := strings.Index(rest, "url(")
		if i < 0 {
			return true
		}
		rest = strings.TrimLeft(rest[i+4:], `'"`)
		if !strings.HasPrefix(rest, "#") {
			return false
		}
	}
}
