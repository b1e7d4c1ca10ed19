// OpenRecovery client glue. No inline scripts (the Content-Security-Policy forbids them).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-print]");
  if (button) {
    event.preventDefault();
    window.print();
  }
});
document.addEventListener("change", (event) => {
  // Show the discharge type only when the move closes the episode.
  if (event.target.matches("select[name=to_stage]")) {
    const group = document.getElementById("discharge-group");
    if (group) group.hidden = event.target.value !== "closed";
  }
});
