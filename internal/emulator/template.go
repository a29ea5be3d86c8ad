package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// msgTemplate is what the emulator keeps of a valid template_object.
type msgTemplate struct {
	objectType string
	text       string // the text template's text
}

// maxTemplateText is the longest text (and list header_title) a default
// template takes, in characters (Kakao's default templates,
// https://developers.kakao.com/docs/latest/ko/message-template/default). What
// Kakao does with a longer one (cut or refuse) is UNCONFIRMED; the strict
// reading refuses.
const maxTemplateText = 200

// parseTemplate checks a template_object against the default templates (Kakao's
// default templates,
// https://developers.kakao.com/docs/latest/ko/message-template/default): a JSON
// object whose object_type is text, feed, list, location, commerce or calendar,
// with the fields that type requires, as the official SDKs' template models
// require them. It returns the problem as the emulator's -2 message, or "".
// Unknown fields are let through, as new template fields would be. Link URLs
// are not checked against registered domains: the emulator has no [제품 링크 관리].
func parseTemplate(raw string) (msgTemplate, string) {
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return msgTemplate{}, "not a JSON object"
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return msgTemplate{}, "not a JSON object: data after it"
	}
	t := msgTemplate{}
	ot, ok := obj["object_type"].(string)
	if !ok || ot == "" {
		return t, "object_type is required"
	}
	t.objectType = ot
	c := checker{obj: obj}
	switch ot {
	case "text":
		t.text = c.text("text")
		c.link(obj, "link", true)
		c.buttons(2)
	case "feed":
		c.content(obj, "content")
		c.buttons(2)
	case "list":
		c.text("header_title")
		c.link(obj, "header_link", true)
		c.contents("contents", 2, 3)
		c.buttons(2)
	case "location":
		c.str(obj, "address", true)
		c.content(obj, "content")
		c.buttons(1)
	case "commerce":
		c.content(obj, "content")
		if m := c.object(obj, "commerce", true); m != nil {
			c.integer(m, "commerce.regular_price")
		}
		c.buttons(2)
	case "calendar":
		c.str(obj, "id", true)
		if id := c.str(obj, "id_type", true); id != "" && id != "event" && id != "calendar" {
			c.fail("id_type must be event or calendar")
		}
		c.content(obj, "content")
		c.buttons(1)
	default:
		return t, fmt.Sprintf("object_type %q is not a default template (text, feed, list, location, commerce, calendar)", ot)
	}
	c.str(obj, "button_title", false)
	if c.problem != "" {
		return msgTemplate{}, c.problem
	}
	return t, ""
}

// checker walks a template and keeps the first problem it meets.
type checker struct {
	obj     map[string]any
	problem string
}

func (c *checker) fail(format string, args ...any) {
	if c.problem == "" {
		c.problem = fmt.Sprintf(format, args...)
	}
}

// leaf is the last part of a dotted field name, the key in its object:
// "content.link" is key "link" of the content object.
func leaf(name string) string {
	return name[strings.LastIndexByte(name, '.')+1:]
}

// str returns the string field name of m; a missing one is a problem when
// required, any other type always.
func (c *checker) str(m map[string]any, name string, required bool) string {
	v, ok := m[leaf(name)]
	if !ok || v == nil {
		if required {
			c.fail("%s is required", name)
		}
		return ""
	}
	s, ok := v.(string)
	if !ok {
		c.fail("%s must be a string", name)
		return ""
	}
	if required && s == "" {
		c.fail("%s is required", name)
	}
	return s
}

// text is a required top-level string of at most maxTemplateText characters.
func (c *checker) text(name string) string {
	s := c.str(c.obj, name, true)
	if n := utf8.RuneCountInString(s); n > maxTemplateText {
		c.fail("%s is %d characters long; the limit is %d", name, n, maxTemplateText)
	}
	return s
}

func (c *checker) integer(m map[string]any, name string) {
	v, ok := m[leaf(name)]
	if !ok || v == nil {
		c.fail("%s is required", name)
		return
	}
	n, ok := v.(json.Number)
	if _, err := n.Int64(); !ok || err != nil {
		c.fail("%s must be a whole number", name)
	}
}

func (c *checker) object(m map[string]any, name string, required bool) map[string]any {
	v, ok := m[leaf(name)]
	if !ok || v == nil {
		if required {
			c.fail("%s is required", name)
		}
		return nil
	}
	o, ok := v.(map[string]any)
	if !ok {
		c.fail("%s must be an object", name)
		return nil
	}
	return o
}

// link checks a Link object: its URL and execution-parameter fields, each
// optional, must be strings.
func (c *checker) link(m map[string]any, name string, required bool) {
	l := c.object(m, name, required)
	for _, f := range []string{"web_url", "mobile_web_url", "android_execution_params", "ios_execution_params"} {
		c.str(l, name+"."+f, false)
	}
}

// content checks a required Content object: a link, and optional strings.
func (c *checker) content(m map[string]any, name string) {
	o := c.object(m, name, true)
	if o == nil {
		return
	}
	c.link(o, name+".link", true)
	for _, f := range []string{"title", "description", "image_url"} {
		c.str(o, name+"."+f, false)
	}
}

// contents checks a list of min to max Content objects.
func (c *checker) contents(name string, minN, maxN int) {
	v, ok := c.obj[name]
	list, isList := v.([]any)
	switch {
	case !ok || v == nil:
		c.fail("%s is required", name)
		return
	case !isList:
		c.fail("%s must be a list", name)
		return
	case len(list) < minN || len(list) > maxN:
		c.fail("%s has %d items; it takes %d to %d", name, len(list), minN, maxN)
		return
	}
	for i, item := range list {
		key := fmt.Sprintf("%s[%d]", name, i)
		c.content(map[string]any{key: item}, key)
	}
}

// buttons checks the optional buttons list: at most maxN, each with a
// title and a link.
func (c *checker) buttons(maxN int) {
	v, ok := c.obj["buttons"]
	if !ok || v == nil {
		return
	}
	list, isList := v.([]any)
	if !isList {
		c.fail("buttons must be a list")
		return
	}
	if len(list) > maxN {
		c.fail("buttons has %d items; this template takes at most %d", len(list), maxN)
		return
	}
	for i, b := range list {
		name := fmt.Sprintf("buttons[%d]", i)
		o, isObj := b.(map[string]any)
		if !isObj {
			c.fail("%s must be an object", name)
			return
		}
		c.str(o, name+".title", true)
		c.link(o, name+".link", true)
	}
}

// compactJSON is raw without insignificant spaces; raw must be valid JSON.
func compactJSON(raw string) json.RawMessage {
	var b bytes.Buffer
	_ = json.Compact(&b, []byte(raw))
	return b.Bytes()
}
