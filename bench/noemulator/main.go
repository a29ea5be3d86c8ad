// Command noemulator writes the overlay (go build -overlay) that builds
// kakao-auth without internal/emulator, for bench/run.sh: it measures what
// linking the emulator costs at start-up. It is a measurement, not a build
// to use: the emulator command and "login --emulator" panic in it.
//
//	go run ./bench/noemulator DIR > overlay.json
//
// Every non-test file of cmd/ that imports internal/emulator is rewritten
// into DIR: the import goes, emulator types in struct fields and
// signatures become any, every function that uses the package or those
// types panics instead, and imports left unused go too.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

const emulatorPath = "github.com/kakao-auth/kakao-auth/internal/emulator"

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: noemulator DIR > overlay.json")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "noemulator:", err)
		os.Exit(1)
	}
}

func run(outDir string) error {
	files, err := filepath.Glob("cmd/*.go")
	if err != nil {
		return err
	}
	replace := map[string]string{}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		out, changed, err := rewrite(path, src)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if !changed {
			continue
		}
		dst := filepath.Join(outDir, filepath.Base(path))
		if err := os.WriteFile(dst, out, 0o644); err != nil {
			return err
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			return err
		}
		replace[abs] = dst
	}
	if len(replace) == 0 {
		return fmt.Errorf("no file of cmd/ imports %s: run from the repository root", emulatorPath)
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{"Replace": replace})
}

// rewrite removes the emulator from one file; changed is false when the
// file does not import it.
func rewrite(path string, src []byte) (out []byte, changed bool, err error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
	if err != nil {
		return nil, false, err
	}
	name := ""
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == emulatorPath {
			name = "emulator"
			if imp.Name != nil {
				name = imp.Name.Name
			}
		}
	}
	if name == "" {
		return nil, false, nil
	}
	uses := func(n ast.Node) bool {
		found := false
		ast.Inspect(n, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == name {
					found = true
				}
			}
			return !found
		})
		return found
	}
	// Types whose fields hold emulator types: their fields become any, so
	// code that reads them cannot compile either.
	tainted := map[string]bool{}
	for _, decl := range f.Decls {
		if d, ok := decl.(*ast.GenDecl); ok {
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					if uses(s.Type) {
						tainted[s.Name.Name] = true
						s.Type = anyType(s.Type, name)
					}
				case *ast.ValueSpec:
					if uses(s) {
						return nil, false, fmt.Errorf("line %d: a package-level value uses the emulator; teach noemulator to drop it", fset.Position(s.Pos()).Line)
					}
				}
			}
		}
	}
	mentionsTainted := func(n ast.Node) bool {
		found := false
		ast.Inspect(n, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && tainted[id.Name] {
				found = true
			}
			return !found
		})
		return found
	}
	for _, decl := range f.Decls {
		d, ok := decl.(*ast.FuncDecl)
		if !ok || d.Body == nil {
			continue
		}
		if uses(d.Body) || uses(d.Type) || mentionsTainted(d.Type) || (d.Recv != nil && mentionsTainted(d.Recv)) {
			d.Body = &ast.BlockStmt{List: []ast.Stmt{&ast.ExprStmt{X: &ast.CallExpr{
				Fun:  ast.NewIdent("panic"),
				Args: []ast.Expr{&ast.BasicLit{Kind: token.STRING, Value: `"kakao-auth: built without the emulator, for a benchmark"`}},
			}}}}
		}
		anyFields(d.Type.Params, name)
		anyFields(d.Type.Results, name)
	}
	dropUnusedImports(f)
	var buf bytes.Buffer
	if err := format.Node(&buf, fset, f); err != nil {
		return nil, false, err
	}
	return buf.Bytes(), true, nil
}

// anyType replaces every emulator type in t (a selector on pkg) with any.
func anyType(t ast.Expr, pkg string) ast.Expr {
	switch x := t.(type) {
	case *ast.SelectorExpr:
		if id, ok := x.X.(*ast.Ident); ok && id.Name == pkg {
			return ast.NewIdent("any")
		}
	case *ast.StarExpr:
		x.X = anyType(x.X, pkg)
	case *ast.ArrayType:
		x.Elt = anyType(x.Elt, pkg)
	case *ast.MapType:
		x.Key, x.Value = anyType(x.Key, pkg), anyType(x.Value, pkg)
	case *ast.StructType:
		anyFields(x.Fields, pkg)
	case *ast.FuncType:
		anyFields(x.Params, pkg)
		anyFields(x.Results, pkg)
	}
	return t
}

func anyFields(fl *ast.FieldList, pkg string) {
	if fl == nil {
		return
	}
	for _, f := range fl.List {
		f.Type = anyType(f.Type, pkg)
	}
}

// dropUnusedImports removes the imports no selector in f refers to any
// more (blank and dot imports stay).
func dropUnusedImports(f *ast.File) {
	used := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok {
				used[id.Name] = true
			}
		}
		return true
	})
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			continue
		}
		var keep []ast.Spec
		for _, spec := range gd.Specs {
			imp := spec.(*ast.ImportSpec)
			p, _ := strconv.Unquote(imp.Path.Value)
			name := p[strings.LastIndex(p, "/")+1:]
			if imp.Name != nil {
				name = imp.Name.Name
			}
			if name == "_" || name == "." || used[name] || (imp.Name == nil && importNameDiffers(p, used)) {
				keep = append(keep, spec)
			}
		}
		gd.Specs = keep
	}
	var imports []*ast.ImportSpec
	for _, imp := range f.Imports {
		for _, decl := range f.Decls {
			if gd, ok := decl.(*ast.GenDecl); ok && gd.Tok == token.IMPORT {
				for _, s := range gd.Specs {
					if s == imp {
						imports = append(imports, imp)
					}
				}
			}
		}
	}
	f.Imports = imports
}

// importNameDiffers keeps imports whose package name is not the last
// element of their path (e.g. ".../go-oidc/v3/oidc" is oidc, "…/v5" is
// not v5): it cannot tell whether they are used, so it keeps them.
func importNameDiffers(path string, used map[string]bool) bool {
	last := path[strings.LastIndex(path, "/")+1:]
	return strings.HasPrefix(last, "v") && len(last) > 1 && strings.Trim(last[1:], "0123456789") == ""
}
