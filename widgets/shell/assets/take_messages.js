// anywidget (0.11) gives a model two seconds to load its JavaScript; past that it drops every later message to
// the model for good (a busy page, a class laptop). A model whose kernel sends it what it must not miss takes its
// messages straight to ipywidgets' own handler: the ipywidgets model behind anywidget's proxy, found by the id the
// kernel gave it (`view_id`), is returned. (widgets/shell/own_messages.py puts this before such a model's module.)
async function takeMessages(model) {
  const real = await model.widget_manager.get_model(model.get("view_id"));
  const widgetModel = Object.getPrototypeOf(Object.getPrototypeOf(real));  // past anywidget's AnyModel
  real.comm.on_msg((msg) => widgetModel._handle_comm_msg.call(real, msg));
  return real;
}
