//! Every tree-sitter grammar on one runtime: the grammar comes from the language row, one parser
//! per worker thread and grammar is kept, each parse runs within the time budget of
//! [`bounds::parse_budget`], and the tree helpers here serve every family.

use super::bounds;
use crate::lang::{self, Grammar};
use crate::source::FileKind;
use std::cell::RefCell;
use std::time::Instant;
use tree_sitter::{Node, ParseOptions, ParseState, Parser, Point, Tree};

thread_local! {
    // Parsers are reusable and not Sync: one per worker thread and grammar, created on first use
    // and found by the grammar's name (a handful of grammars: a scan beats hashing).
    static PARSERS: RefCell<Vec<(&'static str, Parser)>> = const { RefCell::new(Vec::new()) };
}

/// A tree-sitter tree and the grammar that built it.
pub struct SyntaxTree {
    /// The grammar (from the kind's row).
    pub grammar: &'static Grammar,
    /// The tree.
    pub tree: Tree,
}

impl SyntaxTree {
    /// The root node.
    pub fn root_node(&self) -> Node<'_> {
        self.tree.root_node()
    }

    /// Whether a node is one of the grammar's comments.
    pub fn is_comment(&self, node: Node<'_>) -> bool {
        self.grammar.comment_nodes.contains(&node.kind())
    }
}

/// Parses a file of `kind` with its row's grammar; `None` if no grammar reads the kind, the
/// grammar cannot be loaded or the parse is over budget.
pub fn parse_kind(kind: FileKind, text: &str) -> Option<SyntaxTree> {
    let grammar = lang::grammar(kind)?;
    let tree = parse_bounded(grammar, text).ok()?;
    Some(SyntaxTree { grammar, tree })
}

/// Parses text with `grammar` within the time budget of [`bounds::parse_budget`]; the error says
/// why not.
pub fn parse_bounded(grammar: &'static Grammar, text: &str) -> Result<Tree, String> {
    PARSERS.with(|cell| {
        let mut parsers = cell.borrow_mut();
        let at = match parsers.iter().position(|(name, _)| *name == grammar.name) {
            Some(at) => at,
            None => {
                let mut parser = Parser::new();
                parser
                    .set_language(&grammar.language.into())
                    .map_err(|e| format!("cannot load the {} grammar: {e}", grammar.name))?;
                parsers.push((grammar.name, parser));
                parsers.len() - 1
            }
        };
        let (_, parser) = &mut parsers[at];
        budgeted(parser, text)
    })
}

/// One parse that gives up when it takes longer than the budget for its length: tree-sitter's
/// error recovery can run for minutes on some junk input (TSX above all), memory growing.
fn budgeted(parser: &mut Parser, text: &str) -> Result<Tree, String> {
    let budget = bounds::parse_budget(text.len());
    let start = Instant::now();
    // Called every hundred or so parser operations: a clock read is cheap at that rate.
    let mut over = |_: &ParseState| start.elapsed() > budget;
    let options = ParseOptions::new().progress_callback(&mut over);
    let bytes = text.as_bytes();
    let mut read = |at: usize, _: Point| bytes.get(at..).unwrap_or_default();
    match parser.parse_with_options(&mut read, None, Some(options)) {
        Some(tree) => Ok(tree),
        None => {
            // A cancelled parser resumes where it stopped unless reset.
            parser.reset();
            Err(format!(
                "parser budget exceeded after {} ms",
                start.elapsed().as_millis()
            ))
        }
    }
}

/// The start byte of the first node nested deeper than `limit`, if any (one pass with a cursor).
pub fn deeper_than(tree: &Tree, limit: usize) -> Option<usize> {
    let mut cursor = tree.walk();
    let mut depth = 0usize;
    loop {
        if cursor.goto_first_child() {
            depth += 1;
            if depth > limit {
                return Some(cursor.node().start_byte());
            }
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return None;
            }
            depth -= 1;
        }
    }
}

/// The first syntax error of a tree, as a byte offset and a short description.
pub fn first_error(tree: &Tree) -> Option<(usize, String)> {
    let root = tree.root_node();
    if !root.has_error() {
        return None;
    }
    let mut found = None;
    preorder(root, |node| {
        if found.is_some() {
            return false;
        }
        if node.is_missing() {
            found = Some((node.start_byte(), format!("missing `{}`", node.kind())));
            return false;
        }
        if node.is_error() {
            found = Some((node.start_byte(), "unexpected syntax".to_owned()));
            return false;
        }
        node.has_error()
    });
    found
}

/// Visits `root` and its descendants in source order without recursion; `visit` returns whether
/// to descend into the node's children.
pub fn preorder<'t>(root: Node<'t>, mut visit: impl FnMut(Node<'t>) -> bool) {
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        if visit(node) && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

/// The source text of a node ("" if the span is not on character boundaries).
pub fn text<'s>(node: Node<'_>, source: &'s str) -> &'s str {
    source.get(node.byte_range()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{Parsed, Tree as ParsedTree, parse};
    use crate::source::{SourceFile, comments};

    /// A realistic file of each new language: it parses into a tree without errors, and its
    /// suppression directive is a comment both in the tree and for the row's lexer.
    const SNIPPETS: &[(&str, &str)] = &[
        (
            "src/main/java/shop/CartController.java",
            r##"package shop;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.web.bind.annotation.*;

@RestController
@RequestMapping("/cart")
public class CartController {
    // scalelint: ignore[SL301] -- a per-instance warm-up cache, rebuilt on start
    private final Map<String, Cart> carts = new ConcurrentHashMap<>();

    /* a "quoted" word inside a block */
    @GetMapping("/{id}")
    public Cart get(@PathVariable String id) {
        String note = """
            // text, not a comment
            """;
        return carts.computeIfAbsent(id, k -> new Cart(k, note));
    }

    record Cart(String id, String note) {}
}
"##,
        ),
        (
            "src/main/kotlin/shop/Routes.kt",
            r##"package shop

import io.ktor.server.application.*
import io.ktor.server.response.*
import io.ktor.server.routing.*

/* outer /* nested */ still a comment */
val sessions = mutableMapOf<String, String>() // scalelint: ignore[SL101] -- single instance

fun Application.routes() {
    routing {
        get("/hello/{name}") {
            call.respondText("Hello, ${call.parameters["name"] ?: "// not a comment"}")
        }
    }
}
"##,
        ),
        (
            "Shop/Controllers/CartController.cs",
            r##"using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Caching.Memory;

namespace Shop.Controllers;

[ApiController]
[Route("[controller]")]
public class CartController : ControllerBase
{
    private readonly IMemoryCache _cache;

    public CartController(IMemoryCache cache) => _cache = cache;

    // scalelint: ignore[SL301] -- reference data, identical on every instance
    [HttpGet("{id}")]
    public IActionResult Get(string id)
    {
        var path = @"C:\data\"; /* block */
        var text = $"cart {id} // not a comment";
        return Ok(_cache.Get(id) ?? text + path);
    }
}
"##,
        ),
        (
            "app/controllers/carts_controller.rb",
            r##"class CartsController < ApplicationController
  before_action :set_cart

  # scalelint: ignore[SL101] -- cookie store, nothing on the instance
  def show
    render json: { id: @cart.id, note: "#{@cart.id} # not a comment" }
  end

  private

  def set_cart
    @cart = Cart.find(params[:id])
  end
end
"##,
        ),
        (
            "app/Http/Controllers/CartController.php",
            r##"<?php

namespace App\Http\Controllers;

use Illuminate\Http\Request;
use Illuminate\Support\Facades\Cache;

#[\Attribute]
class CartController extends Controller
{
    // scalelint: ignore[SL301] -- the array driver in tests only
    public function show(Request $request, string $id)
    {
        $note = '# not a comment';
        return response()->json(Cache::get("cart:$id", $note)); # trailing
    }
}
"##,
        ),
        (
            "cmd/shop/main.go",
            r##"package main

import (
	"fmt"
	"net/http"
	"sync"
)

var (
	mu    sync.Mutex
	carts = map[string]int{} // scalelint: ignore[SL101] -- one instance by design
)

func cartHandler(w http.ResponseWriter, r *http.Request) {
	mu.Lock()
	defer mu.Unlock()
	carts[r.URL.Query().Get("id")]++
	fmt.Fprintf(w, `// not a comment %d`, len(carts))
}

func main() {
	http.HandleFunc("/cart", cartHandler)
	_ = http.ListenAndServe(":8080", nil)
}
"##,
        ),
    ];

    #[test]
    fn new_languages_parse_into_trees_without_errors() {
        for (path, text) in SNIPPETS.iter().copied() {
            let kind = FileKind::from_path(std::path::Path::new(path)).expect(path);
            let file = SourceFile::new(path.to_owned(), kind, text.to_owned());
            match parse(&file) {
                Parsed::Complete(ParsedTree::Syntax(tree)) => {
                    assert_eq!(Some(tree.grammar.name), lang::grammar(kind).map(|g| g.name));
                    assert!(tree.root_node().named_child_count() > 0, "{path}");
                }
                Parsed::Complete(_) => panic!("{path}: not a tree-sitter tree"),
                Parsed::Partial(_, at, msg) => panic!("{path}: {msg} at {at}"),
                Parsed::Failed(_, msg) => panic!("{path}: {msg}"),
            }
        }
    }

    #[test]
    fn directives_are_comments_in_the_tree_and_for_the_lexer() {
        for (path, text) in SNIPPETS.iter().copied() {
            let kind = FileKind::from_path(std::path::Path::new(path)).expect(path);
            let directive = |ranges: Vec<std::ops::Range<usize>>| {
                ranges
                    .into_iter()
                    .map(|r| &text[r])
                    .filter(|c| c.contains("scalelint: ignore"))
                    .count()
            };
            let tree = comments::comment_ranges(text, kind);
            let lexed = comments::lex(text, comments::syntax(kind));
            assert_eq!(directive(tree.clone()), 1, "{path}: tree {tree:?}");
            assert_eq!(directive(lexed.clone()), 1, "{path}: lexer {lexed:?}");
            // Strings that look like comments are not.
            for ranges in [tree, lexed] {
                assert!(
                    ranges
                        .iter()
                        .all(|r| !text[r.clone()].contains("not a comment")),
                    "{path}"
                );
            }
        }
    }

    #[test]
    fn one_parser_per_grammar_and_thread() {
        let java = lang::grammar(FileKind::Java).expect("java grammar");
        let go = lang::grammar(FileKind::Go).expect("go grammar");
        for _ in 0..3 {
            assert!(parse_bounded(java, "class A {}").is_ok());
            assert!(parse_bounded(go, "package a").is_ok());
        }
        let count = PARSERS.with(|p| {
            let p = p.borrow();
            p.iter().filter(|(n, _)| *n == "java" || *n == "go").count()
        });
        assert_eq!(count, 2);
    }
}
