// The service worker: registered for the app's scope; a new version shows the update banner
// (only when a worker was already in control — the first install is no "update").

export function registerWorker(scope) {
  if (!("serviceWorker" in navigator)) return;
  const hadController = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker.register(`${scope}/sw.js`, { scope }).catch((error) => {
    console.warn("service worker not registered", error);
  });
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (hadController) document.querySelector("#update-banner").hidden = false;
  });
  document.querySelector("#update-reload").addEventListener("click", () => location.reload());
}
