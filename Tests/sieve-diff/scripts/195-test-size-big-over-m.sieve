require ["fileinto"];
if size :over 1M {
    fileinto "yes";
} else {
    fileinto "no";
}
