using System.CommandLine;
var a = new Argument<string[]>("inputs") { Description = "x", Arity = ArgumentArity.OneOrMore };
var o = new Option<string>("--out") { Description = "y", DefaultValueFactory = _ => "out" };
var c = new Command("reconstruct", "z") { a, o };
c.SetAction(pr => { Console.WriteLine(string.Join(",", pr.GetValue(a)!) + pr.GetValue(o)); return 0; });
var root = new RootCommand("rae-grid") { c };
return root.Parse(args).Invoke();
