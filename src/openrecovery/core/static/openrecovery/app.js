// OpenRecovery client glue. No inline scripts (the Content-Security-Policy forbids them).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-print]");
  if (button) {
    event.preventDefault();
    window.print();
  }
});
// Show the discharge type only when the move closes the episode.
function showDischargeType(select) {
  const group = document.getElementById("discharge-group");
  if (group) group.hidden = select.value !== "closed";
}
document.addEventListener("change", (event) => {
  if (event.target.matches("select[name=to_stage]")) showDischargeType(event.target);
});
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("select[name=to_stage]").forEach(showDischargeType);
});
