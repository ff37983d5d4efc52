require ["fileinto"];
if size :over 500 {
    fileinto "yes";
} else {
    fileinto "no";
}
