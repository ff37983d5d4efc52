require ["fileinto"];
if size :under 1K {
    fileinto "yes";
} else {
    fileinto "no";
}
