" idpc configuration files (docs/editors.md)
autocmd BufRead,BufNewFile *.idp setfiletype idp
