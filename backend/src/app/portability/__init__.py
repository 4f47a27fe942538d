"""The portability domain: an account's data out as one versioned JSON file, and back in
(that file, or TodoMVC's). The format is docs/how-it-works/export-format.md's."""
