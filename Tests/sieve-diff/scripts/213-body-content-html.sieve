require ["fileinto", "body"];
if body :content "text/html" :contains "<b>invoice</b>" {
    fileinto "yes";
} else {
    fileinto "no";
}
