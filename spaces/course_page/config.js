/* Where the course page finds the demos. `python spaces/build.py course_page --out out --owner USER` writes this
   file for your Spaces into out/course_page (deploy that folder); this copy serves the page on your machine, where
   the address can override each value (index.html?base=http://localhost:7860&streamlit=http://localhost:7861).

   base:      one server with every Gradio demo at <base>/<name>/: the suite Space or `python -m apps`.
              For one Space per demo, a URL with {slug}, the demo's name with "_" written "-",
              e.g. "https://OWNER-{slug}.hf.space" (build with --per-demo).
   streamlit: the Streamlit page (confidence vs. density), its own Space.
   gradio_js: the <gradio-app> web component, from Gradio's CDN for the version the demos run.
   zerogpu:   the demos whose Spaces run on ZeroGPU (with --per-demo, the catalog's GPU demos): the page tells
              students to log in to Hugging Face there, since each click uses their daily GPU time.

   OWNER stands for the Hugging Face user or organisation that owns the Spaces: spaces/deploy.py refuses to
   upload the page while it is still here. */
window.COURSE_PAGE = {
  base: "https://OWNER-genai-demos.hf.space",
  streamlit: "https://OWNER-confidence-vs-density.hf.space",
  gradio_js: "https://gradio.s3-us-west-2.amazonaws.com/6.31.0/gradio.js",
  zerogpu: [],
};
