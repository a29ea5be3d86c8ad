package cmd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/constant"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// modulePath is this module's import path.
const modulePath = "github.com/kakao-auth/kakao-auth"

// osEnvReads are the os functions that read environment variables on
// Linux, and which ones ("" for the first argument).
var osEnvReads = map[string][]string{
	"Getenv":        {""},
	"LookupEnv":     {""},
	"UserCacheDir":  {"XDG_CACHE_HOME", "HOME"},
	"UserConfigDir": {"XDG_CONFIG_HOME", "HOME"},
	"UserHomeDir":   {"HOME"},
}

// dynamicEnvReads are the reads whose variable is no constant and no
// parameter, by the function that makes them, with what they read.
var dynamicEnvReads = map[string][]string{
	// It takes the secrets out of the process environment, ranging over
	// secretEnv.
	modulePath + "/cmd.DefaultDeps": secretEnv,
}

// envReadsOfTheTool finds every environment variable the kakao-auth binary
// reads (Linux build): the packages of this module that main imports are
// type-checked, and every call is looked at. A read is a call of os.Getenv,
// os.LookupEnv, os.User*Dir, of any function value of type
// func(string) string or func(string) (string, bool) (Deps.Getenv, a getenv
// parameter: every wrapper, whatever its name), or of a function that
// hands its own parameter to one of those. The variable is the argument,
// a constant; anything else is reported in unknown.
func envReadsOfTheTool(t *testing.T) (reads map[string]string, unknown []string) {
	t.Helper()
	list := exec.Command("go", "list", "-export", "-deps", "-json=ImportPath,Dir,GoFiles,Export,Module", ".")
	list.Dir = ".."
	out, err := list.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	type pkg struct {
		ImportPath, Dir, Export string
		GoFiles                 []string
		Module                  *struct{ Path string }
	}
	exports := map[string]string{}
	var ours []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		exports[p.ImportPath] = p.Export
		if p.Module != nil && p.Module.Path == modulePath {
			ours = append(ours, p)
		}
	}
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		if exports[path] == "" {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(exports[path])
	})
	type checked struct {
		files []*ast.File
		info  *types.Info
	}
	var pkgs []checked
	for _, p := range ours {
		var files []*ast.File
		for _, name := range p.GoFiles {
			f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
		info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{}, Uses: map[*ast.Ident]types.Object{}}
		if _, err := (&types.Config{Importer: imp}).Check(p.ImportPath, fset, files, info); err != nil {
			t.Fatalf("type-check %s: %v", p.ImportPath, err)
		}
		pkgs = append(pkgs, checked{files, info})
	}
	if len(pkgs) < 5 {
		t.Fatalf("found only %d packages of this module in kakao-auth", len(pkgs))
	}

	// wrappers are the functions (by full name, the same in every
	// package) that read the variable their parameter at index names.
	wrappers := map[string]int{}
	for changed := true; changed; {
		changed = false
		reads, unknown = map[string]string{}, nil
		for _, p := range pkgs {
			for _, f := range p.files {
				ast.PreorderStack(f, nil, func(n ast.Node, stack []ast.Node) bool {
					call, ok := n.(*ast.CallExpr)
					if !ok {
						return true
					}
					args := envArgs(p.info, call, wrappers)
					if args == nil {
						return true
					}
					where := fset.Position(call.Pos()).String()
					for _, a := range args {
						if a.name != "" {
							reads[a.name] = where
							continue
						}
						if tv := p.info.Types[a.expr]; tv.Value != nil && tv.Value.Kind() == constant.String {
							reads[constant.StringVal(tv.Value)] = where
							continue
						}
						fn, lit, i := enclosingParam(p.info, a.expr, stack)
						switch {
						case fn != nil:
							if _, ok := wrappers[fn.FullName()]; !ok {
								wrappers[fn.FullName()] = i
								changed = true
							}
						case lit != nil && isGetenv(p.info.Types[lit].Type):
							// A getenv itself: its callers are reads.
						default:
							if f := enclosingFunc(p.info, stack); f != nil && dynamicEnvReads[f.FullName()] != nil {
								for _, name := range dynamicEnvReads[f.FullName()] {
									reads[name] = where
								}
							} else {
								unknown = append(unknown, where)
							}
						}
					}
					return true
				})
			}
		}
	}
	return reads, unknown
}

// envArg is one variable a call reads: name, or the expression that
// names it.
type envArg struct {
	name string
	expr ast.Expr
}

// envArgs is what call reads from the environment, or nil.
func envArgs(info *types.Info, call *ast.CallExpr, wrappers map[string]int) []envArg {
	var id *ast.Ident
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		id = fun
	case *ast.SelectorExpr:
		id = fun.Sel
	default:
		return nil
	}
	switch obj := info.Uses[id].(type) {
	case *types.Func:
		if obj.Pkg() != nil && obj.Pkg().Path() == "os" {
			var args []envArg
			for _, name := range osEnvReads[obj.Name()] {
				if name == "" {
					args = append(args, envArg{expr: call.Args[0]})
				} else {
					args = append(args, envArg{name: name})
				}
			}
			return args
		}
		if i, ok := wrappers[obj.FullName()]; ok && i < len(call.Args) {
			return []envArg{{expr: call.Args[i]}}
		}
	case *types.Var:
		if isGetenv(obj.Type()) && len(call.Args) == 1 {
			return []envArg{{expr: call.Args[0]}}
		}
	}
	return nil
}

// isGetenv reports whether t is the type of a getenv: func(string) string
// or func(string) (string, bool).
func isGetenv(t types.Type) bool {
	sig, ok := t.Underlying().(*types.Signature)
	if !ok || sig.Params().Len() != 1 || !types.Identical(sig.Params().At(0).Type(), types.Typ[types.String]) {
		return false
	}
	r := sig.Results()
	return (r.Len() == 1 || r.Len() == 2 && types.Identical(r.At(1).Type(), types.Typ[types.Bool])) &&
		types.Identical(r.At(0).Type(), types.Typ[types.String])
}

// enclosingParam reports whether e is a parameter of the innermost
// function around it: of a declared function fn (at index i), or of a
// function literal lit.
func enclosingParam(info *types.Info, e ast.Expr, stack []ast.Node) (fn *types.Func, lit *ast.FuncLit, i int) {
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok {
		return nil, nil, 0
	}
	v := info.Uses[id]
	for k := len(stack) - 1; k >= 0; k-- {
		var params *ast.FieldList
		switch n := stack[k].(type) {
		case *ast.FuncLit:
			params = n.Type.Params
		case *ast.FuncDecl:
			params = n.Type.Params
		default:
			continue
		}
		idx := 0
		for _, field := range params.List {
			for _, name := range field.Names {
				if info.Defs[name] == v {
					if d, ok := stack[k].(*ast.FuncDecl); ok {
						return info.Defs[d.Name].(*types.Func), nil, idx
					}
					return nil, stack[k].(*ast.FuncLit), idx
				}
				idx++
			}
		}
		return nil, nil, 0
	}
	return nil, nil, 0
}

// enclosingFunc is the declared function around the node stack ends in.
func enclosingFunc(info *types.Info, stack []ast.Node) *types.Func {
	for k := len(stack) - 1; k >= 0; k-- {
		if d, ok := stack[k].(*ast.FuncDecl); ok {
			return info.Defs[d.Name].(*types.Func)
		}
	}
	return nil
}
