package provider

import (
	"context"
	"reflect"
	"slices"
	"sort"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// secretNames are the attribute names that hold a secret wherever they appear.
var secretNames = []string{"password", "access_key", "secret_key", "token"}

// sensitivePaths walks a schema's attributes and blocks (any depth) by reflection, as the
// framework's nested objects are of its internal types, and returns the paths of attributes named
// in secretNames with whether each is Sensitive.
func sensitivePaths(prefix string, attrs, blocks reflect.Value, out map[string]bool) {
	if attrs.IsValid() {
		for it := attrs.MapRange(); it.Next(); {
			name, a := prefix+it.Key().String(), concrete(it.Value())
			if slices.Contains(secretNames, it.Key().String()) {
				out[name] = a.Interface().(interface{ IsSensitive() bool }).IsSensitive()
			}
			if m := a.MethodByName("GetNestedObject"); m.IsValid() {
				obj := concrete(m.Call(nil)[0])
				sensitivePaths(name+".", obj.MethodByName("GetAttributes").Call(nil)[0], reflect.Value{}, out)
			}
		}
	}
	if blocks.IsValid() {
		for it := blocks.MapRange(); it.Next(); {
			name := prefix + it.Key().String()
			obj := concrete(concrete(it.Value()).MethodByName("GetNestedObject").Call(nil)[0])
			sensitivePaths(name+".", obj.MethodByName("GetAttributes").Call(nil)[0], obj.MethodByName("GetBlocks").Call(nil)[0], out)
		}
	}
}

// concrete is v's dynamic value when v holds an interface (a map of Attribute or Block).
func concrete(v reflect.Value) reflect.Value {
	if v.Kind() == reflect.Interface {
		return v.Elem()
	}
	return v
}

func schemaSecrets(s any) map[string]bool {
	v := reflect.ValueOf(s)
	out := map[string]bool{}
	sensitivePaths("", v.MethodByName("GetAttributes").Call(nil)[0], v.MethodByName("GetBlocks").Call(nil)[0], out)
	return out
}

// TestSecretsAreSensitive: every password, access key, secret key and session token attribute
// of the provider, its data sources and its resources is Sensitive, so that terraform never shows
// it in a plan or output (it is still stored in the state, which the attributes say).
func TestSecretsAreSensitive(t *testing.T) {
	ctx := context.Background()
	found := map[string]bool{}
	check := func(owner string, secrets map[string]bool) {
		for p, sensitive := range secrets {
			found[owner+"."+p] = true
			if !sensitive {
				t.Errorf("%s: %s is not Sensitive", owner, p)
			}
		}
	}
	p := &rightsizeProvider{version: "test"}
	var ps provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &ps)
	check("provider", schemaSecrets(ps.Schema))
	for _, f := range p.DataSources(ctx) {
		d := f()
		var m datasource.MetadataResponse
		d.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "rightsize"}, &m)
		var s datasource.SchemaResponse
		d.Schema(ctx, datasource.SchemaRequest{}, &s)
		check(m.TypeName, schemaSecrets(s.Schema))
	}
	for _, f := range p.Resources(ctx) {
		r := f()
		var m resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "rightsize"}, &m)
		var s resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &s)
		check(m.TypeName, schemaSecrets(s.Schema))
	}
	// The walk must reach what is known to be there, or the test checks nothing.
	for _, want := range []string{"provider.access_key", "provider.secret_key", "provider.token", "provider.postgres.password",
		"rightsize_single_node_recommendation.postgres.password", "rightsize_postgres_stats.postgres.password"} {
		if !found[want] {
			names := make([]string, 0, len(found))
			for k := range found {
				names = append(names, k)
			}
			sort.Strings(names)
			t.Errorf("%s not found by the schema walk (found %v)", want, names)
		}
	}
}
