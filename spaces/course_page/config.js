/* Where the course page finds the demos; the page's address can override each value for servers on this
   machine (index.html?base=http://localhost:7860&streamlit=http://localhost:7861).

   base:      one server with every Gradio demo at <base>/<name>/: the suite Space or `python -m apps`.
              For one Space per demo, write a URL with {slug}, the demo's name with "_" written "-",
              e.g. "https://OWNER-{slug}.hf.space".
   streamlit: the Streamlit page (confidence vs. density), its own Space.
   gradio_js: the <gradio-app> web component, from Gradio's CDN for the version the demos run.

   Replace OWNER with the Hugging Face user or organisation that owns the Spaces. */
window.COURSE_PAGE = {
  base: "https://OWNER-genai-demos.hf.space",
  streamlit: "https://OWNER-confidence-vs-density.hf.space",
  gradio_js: "https://gradio.s3-us-west-2.amazonaws.com/6.31.0/gradio.js",
};
