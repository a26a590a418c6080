"""Studies in the window: the Study tab's pages (compare, cross-validation, sweep) and the menu that starts them."""
