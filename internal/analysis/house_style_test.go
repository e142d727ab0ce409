package analysis

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryExportedFunctionHasExample holds the package to its house style: each exported function
// and each exported method of an exported type has an Example (ExampleF, ExampleT_M, or one of
// those with a lower-case suffix).
func TestEveryExportedFunctionHasExample(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files: %v", err)
	}
	fset := token.NewFileSet()
	var exported []string
	examples := map[string]bool{}
	for _, f := range files {
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range af.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			name := fd.Name.Name
			if strings.HasSuffix(f, "_test.go") {
				if e, ok := strings.CutPrefix(name, "Example"); ok {
					// A lower-case suffix (ExampleTune_aurora) names a further example of the same function.
					if i := strings.LastIndex(e, "_"); i >= 0 && i+1 < len(e) && strings.ToLower(e[i+1:i+2]) == e[i+1:i+2] {
						e = e[:i]
					}
					examples[e] = true
				}
				continue
			}
			if !ast.IsExported(name) {
				continue
			}
			if fd.Recv != nil {
				typ := fd.Recv.List[0].Type
				if s, ok := typ.(*ast.StarExpr); ok {
					typ = s.X
				}
				id, ok := typ.(*ast.Ident)
				if !ok || !ast.IsExported(id.Name) {
					continue
				}
				name = id.Name + "_" + name
			}
			exported = append(exported, name)
		}
	}
	if len(exported) < 40 {
		t.Fatalf("only %d exported functions found: %v", len(exported), exported)
	}
	for _, n := range exported {
		if !examples[n] {
			t.Errorf("%s has no Example%s", strings.ReplaceAll(n, "_", "."), n)
		}
	}
}
