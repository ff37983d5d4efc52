require ["fileinto"];
if not false {
    fileinto "yes";
} else {
    fileinto "no";
}
