/* Static files compiled into the binary, so `coffer` serves its API reference with no files
   beside it. The include path (-I) points the assembler at web/api-docs and
   web/node_modules/swagger-ui-dist, and at the web UI's pack in the build tree (see
   CMakeLists.txt and web/build.mjs). */
#define ASSET(name, file)        \
  .global name##_begin;          \
  .balign 16;                    \
  name##_begin:                  \
  .incbin file;                  \
  .global name##_end;            \
  name##_end:

  .section .rodata
  ASSET(coffer_asset_docs_html, "index.html")
  ASSET(coffer_asset_docs_init_js, "init.js")
  ASSET(coffer_asset_swagger_js, "swagger-ui-bundle.js")
  ASSET(coffer_asset_swagger_css, "swagger-ui.css")
  ASSET(coffer_asset_ui_pack, "ui.pack")
  .section .note.GNU-stack, "", @progbits
