require ["fileinto", "body"];
if body :text :matches "*half price*" {
    fileinto "yes";
} else {
    fileinto "no";
}
