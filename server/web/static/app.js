// The little script the pages have, all of it progressive: without it every form still works.
// 1. A button or form with data-confirm asks before it submits (withdraw, remove).
// 2. A submitted form's buttons are disabled, so a slow action (signing) is not sent twice.
document.addEventListener('submit', (event) => {
  const form = event.target;
  const button = event.submitter;
  const question = button?.dataset.confirm ?? form.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  if (form.method.toLowerCase() === 'post') {
    // Later than the submission itself, so the pressed button's name and value are still sent.
    setTimeout(
      () =>
        form.querySelectorAll('button').forEach((each) => {
          each.disabled = true;
        }),
      0,
    );
  }
});
